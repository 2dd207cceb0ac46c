// LineReader walks a text one '\n'-terminated line at a time and counts the lines, for the
// line-oriented formats pushgate parses (CODEOWNERS, allowed_signers, the ref updates on a
// hook's standard input) and the "file:line" messages they give.
//
// Thread-safety: a LineReader object belongs to one thread. It views the text without copying,
// so the text must outlive it.
#pragma once

#include <cstddef>
#include <string_view>

namespace pushgate {

class LineReader {
 public:
  // With strip_cr, a '\r' before the '\n' (a CRLF file) is not part of the line.
  explicit LineReader(std::string_view text, bool strip_cr = false) : rest_(text), strip_cr_(strip_cr) {}

  // Sets *line to the next line without its '\n' and returns true; false after the last line.
  // A final '\n' ends the last line rather than starting an empty one; an empty text has none.
  bool Next(std::string_view* line);

  // The 1-based number of the line Next() returned last; 0 before the first.
  size_t number() const { return number_; }

 private:
  std::string_view rest_;
  bool strip_cr_;
  size_t number_ = 0;
};

}  // namespace pushgate
