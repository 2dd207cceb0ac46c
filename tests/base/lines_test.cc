#include "base/lines.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace pushgate {
namespace {

// Every line of text with its number, as "<number>:<line>".
std::vector<std::string> All(std::string_view text, bool strip_cr) {
  std::vector<std::string> out;
  LineReader lines(text, strip_cr);
  std::string_view line;
  while (lines.Next(&line)) out.push_back(std::to_string(lines.number()) + ":" + std::string(line));
  return out;
}

TEST_CASE("lines are split at newlines and numbered from 1") {
  CHECK(All("a\nb\n\nc", false) == std::vector<std::string>{"1:a", "2:b", "3:", "4:c"});
  CHECK(All("a\nb\n", false) == std::vector<std::string>{"1:a", "2:b"});  // no empty line after the last '\n'
  CHECK(All("\n", false) == std::vector<std::string>{"1:"});
  CHECK(All("", false).empty());
}

TEST_CASE("a carriage return before the newline is removed only when asked") {
  CHECK(All("a\r\nb\r\r\nc\r", true) == std::vector<std::string>{"1:a", "2:b\r", "3:c"});
  CHECK(All("a\r\nb", false) == std::vector<std::string>{"1:a\r", "2:b"});
}

TEST_CASE("a text with NUL bytes and no newline is one line") {
  std::string text("x\0y", 3);
  LineReader lines(text);
  std::string_view line;
  REQUIRE(lines.Next(&line));
  CHECK(line == text);
  CHECK(!lines.Next(&line));
  CHECK(lines.number() == 1);
}

}  // namespace
}  // namespace pushgate
