#include "scanner/base64.h"

#include <array>

namespace pushgate::scanner {

namespace {

std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < alphabet.size(); ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}

}  // namespace

bool DecodeBase64(std::string_view in, std::string* out) {
  static const std::array<int8_t, 256> kTable = MakeDecodeTable();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  out->clear();
  out->reserve(in.size() / 4 * 3 + 3);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    int v = kTable[c];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

bool LooksLikeText(std::string_view bytes) {
  if (bytes.empty()) return false;
  size_t printable = 0;
  for (unsigned char c : bytes) {
    if (c == 0) return false;
    if ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r') ++printable;
  }
  return printable * 100 >= bytes.size() * 95;
}

bool IsNonTextDataUri(std::string_view content, size_t start) {
  constexpr std::string_view kMarker = ";base64,";
  if (start < kMarker.size() || content.substr(start - kMarker.size(), kMarker.size()) != kMarker) return false;
  // Media types are short; look back a bounded distance for the "data:" that opens the URI.
  size_t from = start > 128 ? start - 128 : 0;
  size_t data = content.substr(from, start - from).rfind("data:");
  if (data == std::string_view::npos) return false;
  std::string_view type = content.substr(from + data + 5);
  return type.substr(0, 5) != "text/";
}

}  // namespace pushgate::scanner
