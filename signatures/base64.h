// Base64 (RFC 4648) through libsodium: the standard alphabet with padding used by SSH keys, SSHSIG
// armor and OpenPGP armor, and the URL-safe unpadded alphabet of break-glass tokens and push
// approvals. Decoding is strict about the alphabet and padding and skips only the whitespace
// characters the caller names.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace pushgate::signatures {

// The alphabets and padding rules in use.
enum class Base64Variant {
  kStandard,          // A-Z a-z 0-9 + /, '=' padding (RFC 4648 §4)
  kStandardUnpadded,  // the same without padding (as ssh-keygen prints SHA256 fingerprints)
  kUrlUnpadded,       // A-Z a-z 0-9 - _, no padding (RFC 4648 §5)
};

// Encodes bytes in the given variant, on one line.
std::string Base64Encode(std::string_view bytes, Base64Variant variant = Base64Variant::kStandard);

// Encodes with the standard alphabet without padding.
std::string Base64EncodeUnpadded(std::string_view bytes);

// Decodes; characters in `ignore` (e.g. "\r\n \t") are skipped. Corruption on anything invalid
// in the given variant, including non-zero trailing bits.
Result<std::string> Base64Decode(std::string_view text, const char* ignore = nullptr,
                                 Base64Variant variant = Base64Variant::kStandard);

}  // namespace pushgate::signatures
