#include "scanner/secret_checks.h"

#include <array>
#include <cmath>

namespace pushgate::scanner {

namespace {

constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && LowerAscii(haystack[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

}  // namespace

double ShannonEntropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<size_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0;
  const double n = static_cast<double>(s.size());
  for (size_t c : counts) {
    if (c == 0) continue;
    double p = static_cast<double>(c) / n;
    h -= p * std::log2(p);
  }
  return h;
}

uint32_t Crc32(std::string_view data) {
  static const std::array<uint32_t, 256> kTable = MakeCrcTable();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) crc = kTable[(crc ^ c) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string Base62(uint64_t value, size_t width) {
  std::string out;
  while (value > 0) {
    out.insert(out.begin(), kBase62[value % 62]);
    value /= 62;
  }
  while (out.size() < width) out.insert(out.begin(), '0');
  return out;
}

bool ValidTokenChecksum(Checksum kind, std::string_view token) {
  if (kind == Checksum::kNone) return true;
  size_t underscore = token.rfind('_');
  if (underscore == std::string_view::npos) return false;
  std::string_view tail = token.substr(underscore + 1);
  if (tail.size() < 7) return false;
  uint64_t value = 0;
  for (char c : tail.substr(tail.size() - 6)) {
    size_t digit = kBase62.find(c);
    if (digit == std::string_view::npos) return false;
    value = value * 62 + digit;
  }
  std::string_view body = tail.substr(0, tail.size() - 6);
  for (char c : body) {
    if (kBase62.find(c) == std::string_view::npos) return false;
  }
  return value == Crc32(body);
}

bool IsPlaceholder(std::string_view secret) {
  // Lower-case markers of values that stand for a secret rather than being one. A random token
  // contains one of these by chance with negligible probability.
  static constexpr std::string_view kMarkers[] = {
      "xxxx", "****", "....", "changeme", "change_me", "change-me", "placeholder", "your_", "your-",
      "yourkey", "yourtoken", "yoursecret", "yourpassword", "example", "redacted", "not-a-real", "not_a_real",
      "notreal", "fake", "dummy", "sample", "${", "{{", "}}", "$(", "%s", "%(", "os.environ",
      "os.getenv", "getenv(", "process.env", "env(", "env.", "var.", "secrets.", "vault(", "12345678",
      "abcdefgh", "insert", "replace_", "replace-", "todo"};
  if (secret.empty()) return true;
  if (secret.front() == '$') return true;  // $VAR, $(cmd), ${VAR}: a shell or CI reference
  if (secret.find('<') != std::string_view::npos && secret.find('>') != std::string_view::npos) return true;
  for (std::string_view marker : kMarkers) {
    if (ContainsNoCase(secret, marker)) return true;
  }
  // An UPPER_SNAKE_CASE name (WMI_AUTH11_OPEN, DB_PASSWORD) is a constant or variable being
  // referenced, not a value.
  bool upper_snake = secret.front() >= 'A' && secret.front() <= 'Z';
  bool has_underscore = false;
  for (char c : secret) {
    if (c == '_') {
      has_underscore = true;
    } else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      upper_snake = false;
      break;
    }
  }
  if (upper_snake && has_underscore) return true;
  // One or two distinct characters repeated (aaaaaaaa, 0000, abababab) is filler, not a secret.
  char first = secret.front(), second = first;
  for (char c : secret) {
    if (c == first) continue;
    if (second == first) {
      second = c;
    } else if (c != second) {
      return false;
    }
  }
  return true;
}

std::string Redact(std::string_view secret) {
  size_t shown = secret.size() / 4;
  if (shown > 4) shown = 4;
  std::string out;
  for (size_t i = 0; i < shown; ++i) {
    unsigned char c = static_cast<unsigned char>(secret[i]);
    out += (c >= 0x21 && c < 0x7F) ? static_cast<char>(c) : '?';
  }
  out += "\u2026(" + std::to_string(secret.size()) + " chars)";
  return out;
}

}  // namespace pushgate::scanner
