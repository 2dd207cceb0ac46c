#include "base/visible_text.h"

#include <cstdint>
#include <cstdio>

namespace pushgate {

namespace {

// Length of the well-formed UTF-8 sequence at s[i] and its code point; 0 when malformed.
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xe0) == 0xc0) {
    len = 2, *cp = c & 0x1f, min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3, *cp = c & 0x0f, min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4, *cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    *cp = (*cp << 6) | (cc & 0x3f);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) return 0;
  return len;
}

bool Hidden(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7f) return true;
  if (cp >= 0x80 && cp <= 0x9f) return true;                      // C1 controls
  if (cp == 0x061c || cp == 0x200e || cp == 0x200f) return true;  // bidi marks
  if (cp >= 0x202a && cp <= 0x202e) return true;                  // bidi embeddings and overrides
  if (cp >= 0x2066 && cp <= 0x2069) return true;                  // bidi isolates
  if (cp >= 0x200b && cp <= 0x200d) return true;                  // zero-width space, (non-)joiner
  if (cp == 0x2060 || cp == 0xfeff) return true;                  // word joiner, zero-width no-break space
  if (cp == 0x2028 || cp == 0x2029) return true;                  // line and paragraph separators
  return false;
}

}  // namespace

std::string VisibleText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char buf[16];
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(text, i, &cp);
    if (len == 0) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[i]));
      out += buf;
      ++i;
      continue;
    }
    if (Hidden(cp)) {
      if (cp < 0x80) {
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
      }
      out += buf;
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

bool NeedsEscaping(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(text, i, &cp);
    if (len == 0 || Hidden(cp)) return true;
    i += len;
  }
  return false;
}

}  // namespace pushgate
