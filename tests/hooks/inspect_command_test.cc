// hooks/inspect_command.cc: `pushgate codeowners` and `pushgate verify-commit` through the real
// binary, on repositories whose CODEOWNERS and commits carry control and bidi characters: the
// output shows them escaped.
#include "hooks/inspect_command.h"

#include <catch2/catch.hpp>

#include "base/files.h"
#include "tests/support/git_fixture.h"

using pushgate::testing::CmdResult;
using pushgate::testing::GitFixture;

namespace {

const std::string kRlo = "\xe2\x80\xae";  // U+202E RIGHT-TO-LEFT OVERRIDE

CmdResult Pushgate(const GitFixture& g, const std::string& args) {
  return g.Run("'" + pushgate::testing::PushgateBinary() + "' " + args);
}

}  // namespace

TEST_CASE("codeowners prints a pattern, owner and path with a bidi override escaped; plain ones as they are") {
  GitFixture g;
  g.Commit("CODEOWNERS", "/docs/ @docs-team\n/live/a" + kRlo + "b/ @ops\n/x/ @bad" + kRlo + "owner\n", "owners");
  auto plain = Pushgate(g, "codeowners docs/x.md");
  INFO(plain.all());
  CHECK(plain.code == 0);
  CHECK(plain.out == "docs/x.md: @docs-team  [CODEOWNERS:1 /docs/]\n");

  auto odd = Pushgate(g, "codeowners 'live/a" + kRlo + "b/app.yaml'");
  INFO(odd.all());
  CHECK(odd.code == 0);
  CHECK(odd.out.find(kRlo) == std::string::npos);
  CHECK(odd.out.find("live/a\\u202Eb/app.yaml: @ops  [CODEOWNERS:2 /live/a\\u202Eb/]") != std::string::npos);
  CHECK(odd.err.find(kRlo) == std::string::npos);
  CHECK(odd.err.find("@bad\\u202Eowner") != std::string::npos);
}

TEST_CASE("verify-commit escapes a committer e-mail with a bidi override in its detail") {
  GitFixture g;
  std::string keys = g.root() + "/keys";
  REQUIRE(g.Run("mkdir -p " + keys + " && ssh-keygen -q -t ed25519 -N '' -C alice -f " + keys + "/alice").code == 0);
  REQUIRE(g.Run("echo \"alice@example.com $(cat " + keys + "/alice.pub)\" > " + g.root() + "/allowed_signers").code == 0);
  REQUIRE(pushgate::WriteFileAtomic(g.root() + "/pushgate.yaml",
                                    "version: 1\nsigners: { allowed_signers: " + g.root() + "/allowed_signers }\n")
              .ok());
  g.Run("git config gpg.format ssh");
  auto sign = [&](const std::string& email) {
    REQUIRE(g.Run("echo x >> f && git add f && GIT_COMMITTER_EMAIL='" + email +
                  "' git -c commit.gpgsign=true -c user.signingkey=" + keys + "/alice commit -q -m signed")
                .code == 0);
  };
  sign("alice@example.com");
  auto good = Pushgate(g, "--config " + g.root() + "/pushgate.yaml verify-commit HEAD");
  INFO(good.all());
  CHECK(good.code == 0);
  CHECK(good.out.find(" good ") != std::string::npos);

  sign("bob" + kRlo + "moc.elpmaxe@example.com");
  auto bad = Pushgate(g, "--config " + g.root() + "/pushgate.yaml verify-commit HEAD");
  INFO(bad.all());
  CHECK(bad.code != 0);
  CHECK(bad.out.find("principal-mismatch") != std::string::npos);
  CHECK(bad.out.find("bob\\u202Emoc.elpmaxe@example.com") != std::string::npos);
  CHECK(bad.out.find(kRlo) == std::string::npos);
}
