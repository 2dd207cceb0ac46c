// base/visible_text.cc: control, bidi and invisible characters shown as escapes; everything else
// (ordinary Unicode included) kept.
#include "base/visible_text.h"

#include <catch2/catch.hpp>

using pushgate::NeedsEscaping;
using pushgate::VisibleText;

TEST_CASE("ordinary text, accents and CJK pass unchanged") {
  for (const char* s : {"deploy/prod/app.yaml", "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt", "a\\b", "emoji \xf0\x9f\x94\x91", ""}) {
    INFO(s);
    CHECK(VisibleText(s) == s);
    CHECK_FALSE(NeedsEscaping(s));
  }
}

TEST_CASE("bidi controls are escaped, so a path cannot be shown reversed") {
  CHECK(VisibleText("evil\xe2\x80\xaetxt.exe") == "evil\\u202Etxt.exe");
  CHECK(VisibleText("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad") == "\\u202A\\u202B\\u202C\\u202D");
  CHECK(VisibleText("\xe2\x81\xa6x\xe2\x81\xa9") == "\\u2066x\\u2069");
  CHECK(VisibleText("\xe2\x81\xa7\xe2\x81\xa8") == "\\u2067\\u2068");
  CHECK(VisibleText("\xe2\x80\x8e\xe2\x80\x8f") == "\\u200E\\u200F");
  CHECK(VisibleText("\xd8\x9c") == "\\u061C");
  CHECK(NeedsEscaping("a\xe2\x80\xae"));
}

TEST_CASE("controls, zero-width characters and bytes that are not UTF-8 are escaped") {
  CHECK(VisibleText("a\x1b[2Jb") == "a\\x1b[2Jb");
  CHECK(VisibleText("line\nnext\r\t") == "line\\x0anext\\x0d\\x09");
  CHECK(VisibleText(std::string("nul\0x", 5)) == "nul\\x00x");
  CHECK(VisibleText("del\x7f") == "del\\x7f");
  CHECK(VisibleText("\xc2\x9b" "31m") == "\\u009B31m");  // C1 CSI
  CHECK(VisibleText("zero\xe2\x80\x8bwidth\xef\xbb\xbf") == "zero\\u200Bwidth\\uFEFF");
  CHECK(VisibleText("sep\xe2\x80\xa8") == "sep\\u2028");
  CHECK(VisibleText("bad\xff\xc3") == "bad\\xff\\xc3");
  CHECK(VisibleText("\xc0\xae") == "\\xc0\\xae");  // overlong '.'
  CHECK(VisibleText("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // surrogate
}
