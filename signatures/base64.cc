#include "signatures/base64.h"

#include <sodium.h>

namespace pushgate::signatures {
namespace {

int SodiumVariant(Base64Variant variant) {
  switch (variant) {
    case Base64Variant::kStandard:
      return sodium_base64_VARIANT_ORIGINAL;
    case Base64Variant::kStandardUnpadded:
      return sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
    case Base64Variant::kUrlUnpadded:
      return sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  }
  return sodium_base64_VARIANT_ORIGINAL;
}

}  // namespace

std::string Base64Encode(std::string_view bytes, Base64Variant variant) {
  const int v = SodiumVariant(variant);
  std::string out(sodium_base64_encoded_len(bytes.size(), v), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), v);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string Base64EncodeUnpadded(std::string_view bytes) {
  return Base64Encode(bytes, Base64Variant::kStandardUnpadded);
}

Result<std::string> Base64Decode(std::string_view text, const char* ignore, Base64Variant variant) {
  std::string out(text.size() / 4 * 3 + 3, '\0');  // room for a final unpadded group
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), ignore,
                        &len, &end, SodiumVariant(variant)) != 0 ||
      end != text.data() + text.size()) {
    return Status::Corruption("invalid base64");
  }
  out.resize(len);
  return out;
}

}  // namespace pushgate::signatures
