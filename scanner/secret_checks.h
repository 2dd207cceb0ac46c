// Checks applied to a candidate secret once a rule pattern has matched: randomness (Shannon
// entropy), provider checksums, placeholder and templated values, and redaction for output.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "scanner/rules.h"

namespace pushgate::scanner {

// Shannon entropy of the bytes of s, in bits per byte (0 for an empty string).
double ShannonEntropy(std::string_view s);

// CRC-32 (IEEE 802.3, as in zlib) of data.
uint32_t Crc32(std::string_view data);

// Encodes value in base62 (0-9, A-Z, a-z), left-padded with '0' to width characters.
std::string Base62(uint64_t value, size_t width);

// True when token carries a valid checksum of the given kind. GitHub classic tokens (ghp_, gho_,
// ghu_, ghs_, ghr_) and npm tokens (npm_) end in 6 base62 characters that encode the CRC-32 of
// the characters between the prefix's '_' and the checksum. kNone is always valid.
bool ValidTokenChecksum(Checksum kind, std::string_view token);

// True when secret is a placeholder, a template or a reference rather than a value: `XXXX`,
// `<your-key>`, `changeme`, `${VAR}`, `{{ secrets.X }}`, `os.environ[...]`, `process.env.X`,
// `var.x`, vendor documentation keys (`...EXAMPLE`), an UPPER_SNAKE_CASE constant name, or a run of
// one or two repeated characters.
bool IsPlaceholder(std::string_view secret);

// A short, safe rendering of a secret for output: at most 4 leading characters (fewer for short
// secrets) followed by "…" and the length, e.g. "AKIA…(20 chars)". Never more.
std::string Redact(std::string_view secret);

}  // namespace pushgate::scanner
