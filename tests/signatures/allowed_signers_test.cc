// allowed_signers parsing and matching, checked against ssh-keygen's own reading of the same file.
#include "signatures/allowed_signers.h"

#include <catch2/catch.hpp>

#include "base/files.h"
#include "tests/support/git_fixture.h"

namespace pushgate::signatures {
namespace {

std::string NewKeyLine(const TempDir& dir, const std::string& name) {
  auto r = pushgate::testing::Sh("ssh-keygen -q -t ed25519 -N '' -C c -f " + name + " && cut -d' ' -f1,2 " + name + ".pub",
                                 dir.path());
  REQUIRE(r.code == 0);
  return r.out.substr(0, r.out.size() - 1);
}

TEST_CASE("entries with options, comments and quotes parse") {
  TempDir dir;
  std::string k1 = NewKeyLine(dir, "k1"), k2 = NewKeyLine(dir, "k2");
  std::string text = "# team keys\n\n"
                     "alice@example.com,bob@example.com " + k1 + " trailing comment\n"
                     "\"*@example.org\" namespaces=\"git,file\",valid-after=\"20200101\",VALID-BEFORE=\"203001011200Z\" " + k2 + "\n"
                     "*@ca.example.com cert-authority " + k2 + "\n";
  auto s = AllowedSigners::Parse(text, "signers");
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  REQUIRE(s->entries().size() == 3);
  const auto& e = s->entries();
  CHECK(e[0].principals == std::vector<std::string>{"alice@example.com", "bob@example.com"});
  CHECK(e[0].line == 3);
  CHECK(e[1].namespaces == std::vector<std::string>{"git", "file"});
  CHECK(e[1].valid_before.value() == 1893499200);  // 2030-01-01 12:00 UTC
  CHECK(e[1].valid_after.has_value());
  CHECK(e[2].cert_authority);

  int64_t now = 1700000000;
  CHECK(s->Find(e[0].key, "git", now).size() == 1);
  CHECK(s->Find(e[1].key, "git", now).size() == 1);   // the CA line never matches
  CHECK(s->Find(e[1].key, "other", now).empty());
  CHECK(s->Find(e[1].key, "git", 1893499201).empty());
  CHECK(s->Find(e[1].key, "git", 1500000000).empty());
  CHECK(AllowedSigners::PrincipalMatches(e[1], "x@example.org"));
  CHECK(!AllowedSigners::PrincipalMatches(e[1], "x@example.org.evil"));
  CHECK(!AllowedSigners::PrincipalMatches(e[0], "carol@example.com"));
}

TEST_CASE("pattern lists follow OpenSSH match_pattern_list") {
  CHECK(MatchPatternList("a@b.c", {"*@b.c"}));
  CHECK(MatchPatternList("a@b.c", {"?@b.c"}));
  CHECK(!MatchPatternList("ab@b.c", {"?@b.c"}));
  CHECK(!MatchPatternList("a@b.c", {"*@b.c", "!a@*"}));
  CHECK(!MatchPatternList("a@b.c", {"!x@b.c"}));  // only negations: no positive match
  CHECK(!MatchPatternList("A@B.C", {"a@b.c"}));
  CHECK(MatchPatternList("A@B.C", {"a@b.c"}, true));
  // Pathological patterns finish quickly.
  CHECK(!MatchPatternList(std::string(5000, 'a') + "b", {std::string(100, '*') + "c"}));
}

TEST_CASE("errors name file and line") {
  TempDir dir;
  std::string k = NewKeyLine(dir, "k");
  auto check = [&](const std::string& text, const std::string& needle) {
    auto s = AllowedSigners::Parse(text, "signers");
    REQUIRE(!s.ok());
    INFO(s.status().message());
    CHECK(s.status().message().find("signers:") == 0);
    CHECK(s.status().message().find(needle) != std::string::npos);
  };
  check("a@b " + k + "\nb@c bogus-option " + k + "\n", "signers:2: unknown option");
  check("a@b namespaces=git " + k + "\n", "double-quoted");
  check("a@b valid-after=\"2020\" " + k + "\n", "invalid time");
  check("a@b valid-after=\"20300101\",valid-before=\"20200101\" " + k + "\n", "not after");
  check("a@b ssh-ed25519 AAAA!!\n", "base64");
  check("a@b ssh-rsa " + k.substr(12) + "\n", "does not match");
  check("a@b\n", "missing key");
  check("a@b \"unterminated " + k + "\n", "quote");
  check("a@b namespaces=\"x\",namespaces=\"y\" " + k + "\n", "duplicate");
}

TEST_CASE("Load reports a missing file") {
  auto s = AllowedSigners::Load("/nonexistent/allowed_signers");
  CHECK(!s.ok());
}

TEST_CASE("huge and binary input fail cleanly") {
  std::string junk(1 << 20, '\0');
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 131);
  CHECK(!AllowedSigners::Parse(junk, "junk").ok());
  std::string long_line = "a@b ssh-ed25519 " + std::string(3 << 20, 'A') + "\n";
  CHECK(!AllowedSigners::Parse(long_line, "big").ok());
}

}  // namespace
}  // namespace pushgate::signatures
