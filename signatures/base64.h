// Standard base64 (RFC 4648, with padding) through libsodium, as used by SSH keys, SSHSIG armor and
// OpenPGP armor. Decoding is strict about the alphabet and padding and skips only the whitespace
// characters the caller names.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace pushgate::signatures {

// Encodes bytes with the standard alphabet and padding, on one line.
std::string Base64Encode(std::string_view bytes);

// Encodes without padding (as ssh-keygen prints SHA256 fingerprints).
std::string Base64EncodeUnpadded(std::string_view bytes);

// Decodes; characters in `ignore` (e.g. "\r\n \t") are skipped. Corruption on anything invalid.
Result<std::string> Base64Decode(std::string_view text, const char* ignore = nullptr);

}  // namespace pushgate::signatures
