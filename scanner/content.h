// Decides what kind of content a blob is before it is scanned: text, binary (not scanned), or a
// Git LFS pointer (not scanned: the real file lives outside the repository). UTF-16 text with a
// byte-order mark is turned into UTF-8 so byte patterns can match it.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace pushgate::scanner {

enum class ContentKind { kText, kBinary, kLfsPointer };

// Binary is decided the way Git does it: a NUL byte within the first 8000 bytes. Content that
// starts with a UTF-16 byte-order mark is text even though it holds NULs. A Git LFS pointer is a
// small text file that starts with "version https://git-lfs.github.com/spec/".
ContentKind Classify(std::string_view content);

// True when content starts with a UTF-16 (LE or BE) byte-order mark.
bool HasUtf16Bom(std::string_view content);

// Converts UTF-16 content with a byte-order mark to UTF-8 (the mark is dropped; unpaired
// surrogates become U+FFFD). Line breaks are kept, so line numbers stay the same.
std::string Utf16ToUtf8(std::string_view content);

}  // namespace pushgate::scanner
