#include "scanner/content.h"

#include <cstring>

namespace pushgate::scanner {

namespace {

constexpr size_t kBinarySniffBytes = 8000;      // what Git's buffer_is_binary() looks at
constexpr size_t kMaxLfsPointerBytes = 1024;    // git-lfs: pointer files are below 1024 bytes
constexpr std::string_view kLfsHeader = "version https://git-lfs.github.com/spec/";

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

bool HasUtf16Bom(std::string_view content) {
  if (content.size() < 2) return false;
  unsigned char a = static_cast<unsigned char>(content[0]), b = static_cast<unsigned char>(content[1]);
  return (a == 0xFF && b == 0xFE) || (a == 0xFE && b == 0xFF);
}

ContentKind Classify(std::string_view content) {
  if (content.size() < kMaxLfsPointerBytes && content.substr(0, kLfsHeader.size()) == kLfsHeader) {
    return ContentKind::kLfsPointer;
  }
  if (HasUtf16Bom(content)) return ContentKind::kText;
  size_t n = content.size() < kBinarySniffBytes ? content.size() : kBinarySniffBytes;
  return memchr(content.data(), 0, n) ? ContentKind::kBinary : ContentKind::kText;
}

std::string Utf16ToUtf8(std::string_view content) {
  if (!HasUtf16Bom(content)) return std::string(content);
  const bool little = static_cast<unsigned char>(content[0]) == 0xFF;
  auto unit = [&](size_t i) -> uint32_t {
    auto lo = static_cast<unsigned char>(content[little ? i : i + 1]);
    auto hi = static_cast<unsigned char>(content[little ? i + 1 : i]);
    return static_cast<uint32_t>(hi) << 8 | lo;
  };
  std::string out;
  out.reserve(content.size() / 2);
  for (size_t i = 2; i + 1 < content.size(); i += 2) {
    uint32_t u = unit(i);
    if (u >= 0xD800 && u < 0xDC00 && i + 3 < content.size()) {
      uint32_t low = unit(i + 2);
      if (low >= 0xDC00 && low < 0xE000) {
        AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), &out);
        i += 2;
        continue;
      }
    }
    AppendUtf8(u >= 0xD800 && u < 0xE000 ? 0xFFFD : u, &out);
  }
  return out;
}

}  // namespace pushgate::scanner
