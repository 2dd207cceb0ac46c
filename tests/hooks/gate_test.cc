// End-to-end tests of the gate: real bare repositories, pushgate installed with `pushgate install
// --bare`, real `git push` through receive-pack and its quarantine.
#include <catch2/catch.hpp>

#include "tests/support/git_fixture.h"

using pushgate::testing::CmdResult;
using pushgate::testing::GitFixture;

namespace {

const char* kPolicies = R"(version: 1
policies:
  protected_refs:
    - pattern: refs/heads/main
  forbidden_paths: ["*.tfstate", "**/*.pem", ".env"]
  max_file_bytes: 1000
)";

// A fixture whose server already has one accepted commit on main.
struct Gate : GitFixture {
  explicit Gate(const std::string& config = kPolicies) {
    InstallGate(config);
    Commit("README.md", "hello\n", "initial");
    auto r = Push("origin main");
    INFO(r.all());
    REQUIRE(r.code == 0);
  }
};

}  // namespace

TEST_CASE("a clean push lands") {
  Gate g;
  g.Commit("src/app.txt", "fine\n", "more");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(g.ServerRev("main") == g.Run("git rev-parse HEAD").out.substr(0, 40));
}

TEST_CASE("a forbidden path is refused with its rule id and the ref stays") {
  Gate g;
  std::string before = g.ServerRev("main");
  g.Commit("infra/prod.tfstate", "{}\n", "state");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("pushgate: error: forbidden-path: refs/heads/main") != std::string::npos);
  CHECK(r.err.find("infra/prod.tfstate") != std::string::npos);
  CHECK(r.err.find("pushgate: hint:") != std::string::npos);
  CHECK(g.ServerRev("main") == before);
}

TEST_CASE("a forbidden basename pattern matches at any depth, an anchored one only at its place") {
  Gate g;
  g.Commit("a/b/.env", "X=1\n", "env");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("a/b/.env") != std::string::npos);
  g.Run("git reset -q --hard origin/main");
  g.Commit("docs/env.md", "about .env files\n", "docs");
  CHECK(g.Push("origin main").code == 0);
}

TEST_CASE("a file over max_file_bytes is refused") {
  Gate g;
  std::string before = g.ServerRev("main");
  g.Commit("big.txt", std::string(5000, 'x'), "big");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("max-file-size") != std::string::npos);
  CHECK(r.err.find("big.txt") != std::string::npos);
  CHECK(g.ServerRev("main") == before);
}

TEST_CASE("a force push to a protected ref is refused, to another ref it lands") {
  Gate g;
  g.Commit("a.txt", "a\n", "a");
  REQUIRE(g.Push("origin main").code == 0);
  std::string before = g.ServerRev("main");
  g.Run("git reset -q --hard HEAD~1");
  g.Commit("b.txt", "b\n", "b");
  auto r = g.Push("--force origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("protected-ref") != std::string::npos);
  CHECK(r.err.find("force push") != std::string::npos);
  CHECK(g.ServerRev("main") == before);

  REQUIRE(g.Push("origin HEAD:refs/heads/topic").code == 0);
  g.Run("git reset -q --hard HEAD~1");
  g.Commit("c.txt", "c\n", "c");
  CHECK(g.Push("--force origin HEAD:refs/heads/topic").code == 0);
}

TEST_CASE("deleting a protected ref is refused; a delete-only push of another ref lands") {
  Gate g;
  REQUIRE(g.Push("origin main:refs/heads/feature").code == 0);
  auto r = g.Push("origin :main");
  CHECK(r.code != 0);
  CHECK(r.err.find("deleting refs/heads/main is not allowed") != std::string::npos);
  CHECK_FALSE(g.ServerRev("main").empty());
  auto d = g.Push("origin :feature");
  INFO(d.all());
  CHECK(d.code == 0);
  CHECK(g.ServerRev("refs/heads/feature").empty());
}

TEST_CASE("a new branch pointing at existing commits lands (empty quarantine)") {
  Gate g;
  auto r = g.Push("origin main:refs/heads/release");
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(g.ServerRev("refs/heads/release") == g.ServerRev("main"));
}

TEST_CASE("an annotated tag lands and a tag rewrite is classified as force") {
  Gate g("policies:\n  protected_refs:\n    - pattern: refs/heads/main\n    - pattern: refs/tags/*\n");
  g.Run("git tag -a v1 -m 'release one'");
  auto r = g.Push("origin v1");
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK_FALSE(g.ServerRev("refs/tags/v1").empty());
  g.Commit("x.txt", "x\n", "x");
  g.Run("git tag -f -a v1 -m 'moved'");
  auto moved = g.Push("--force origin v1");
  CHECK(moved.code != 0);
  CHECK(moved.err.find("protected-ref: refs/tags/v1") != std::string::npos);
}

TEST_CASE("a broken config refuses every push and names file and line") {
  GitFixture g;
  g.InstallGate("version: 1\npolicies:\n  forbidden_paths: ['[oops']\n  max_file_bytes: lots\nsecrets:\n  enabeld: true\n");
  g.Commit("a.txt", "a\n", "a");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("pushgate.yaml:3: policies.forbidden_paths") != std::string::npos);
  CHECK(r.err.find("pushgate.yaml:4: policies.max_file_bytes: expected an integer") != std::string::npos);
  CHECK(r.err.find("pushgate.yaml:6: secrets.enabeld: unknown key") != std::string::npos);
  CHECK(g.ServerRev("main").empty());
  auto check = g.Run("'" + pushgate::testing::PushgateBinary() + "' config check " + g.server() + "/pushgate.yaml");
  CHECK(check.code == 2);
  CHECK(check.err.find("pushgate.yaml:6: secrets.enabeld") != std::string::npos);
}

TEST_CASE("pre-receive refuses the whole push when one ref is bad") {
  Gate g;
  g.Run("git checkout -q -b good && echo g > g.txt && git add g.txt && git commit -qm g && "
        "git checkout -q main && echo s > s.tfstate && git add s.tfstate && git commit -qm bad");
  auto r = g.Push("origin good main");
  CHECK(r.code != 0);
  CHECK(g.ServerRev("refs/heads/good").empty());
}

TEST_CASE("the update hook refuses one ref while another lands in a non-atomic push") {
  Gate g;
  // Per-ref mode: the administrator keeps only the update hook.
  g.Run("rm '" + g.server() + "/hooks/pre-receive'");
  g.Run("git checkout -q -b good && echo g > g.txt && git add g.txt && git commit -qm g && "
        "git checkout -q main && echo s > s.tfstate && git add s.tfstate && git commit -qm bad");
  std::string before = g.ServerRev("main");
  auto r = g.Push("origin good main");
  CHECK(r.code != 0);
  CHECK(r.err.find("forbidden-path") != std::string::npos);
  CHECK_FALSE(g.ServerRev("refs/heads/good").empty());
  CHECK(g.ServerRev("main") == before);

  // With --atomic, the refusal of one ref fails them all.
  g.Run("git checkout -q good && echo h > h.txt && git add h.txt && git commit -qm h && git checkout -q main");
  std::string good_before = g.ServerRev("refs/heads/good");
  auto atomic = g.Push("--atomic origin good main");
  CHECK(atomic.code != 0);
  CHECK(g.ServerRev("refs/heads/good") == good_before);
}

TEST_CASE("on GitLab each error line is repeated with GL-HOOK-ERR") {
  Gate g;
  g.Commit("x.pem", "k\n", "key");
  auto r = pushgate::testing::Sh("GL_ID=user-1 GL_USERNAME=alice git push origin main", g.work(), g.env());
  CHECK(r.code != 0);
  CHECK(r.err.find("GL-HOOK-ERR: pushgate: error: forbidden-path") != std::string::npos);
}

TEST_CASE("install is idempotent and uninstall restores a foreign hook") {
  GitFixture g;
  std::string hooks = g.server() + "/hooks";
  g.Run("printf '#!/bin/sh\\necho foreign-hook-ran >&2\\nexit 0\\n' > '" + hooks + "/pre-receive' && chmod +x '" +
        hooks + "/pre-receive' && sha1sum '" + hooks + "/pre-receive' > '" + g.root() + "/orig.sum'");
  g.InstallGate(kPolicies);
  g.InstallGate(kPolicies);
  g.Commit("a.txt", "a\n", "a");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(r.err.find("foreign-hook-ran") != std::string::npos);
  g.Commit("b.tfstate", "b\n", "b");
  CHECK(g.Push("origin main").code != 0);
  auto u = g.Run("'" + pushgate::testing::PushgateBinary() + "' uninstall --bare '" + g.server() + "'");
  CHECK(u.code == 0);
  CHECK(g.Run("sha1sum -c '" + g.root() + "/orig.sum'").code == 0);
  CHECK(g.Push("origin main").code == 0);
}

TEST_CASE("a push past limits.max_bytes or max_commits is refused as not fully examined") {
  Gate g("version: 1\nlimits: { max_bytes: 3000, max_commits: 3 }\n");
  g.Commit("a.txt", std::string(2000, 'a'), "a");
  g.Commit("b.txt", std::string(2000, 'b'), "b");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("limits:") != std::string::npos);
  CHECK(r.err.find("more than 3000 bytes") != std::string::npos);
  g.Run("git reset -q --hard origin/main");
  for (int i = 0; i < 4; ++i) g.Commit("c" + std::to_string(i), "c\n", "c");
  auto c = g.Push("origin main");
  CHECK(c.code != 0);
  CHECK(c.err.find("more than 3 new commits") != std::string::npos);
}

// on_error: allow opens the gate only when no check could run; these landed before it meant that.
TEST_CASE("on_error: allow never drops a refusing finding when the audit record cannot be written") {
  Gate g;
  g.InstallGate(std::string(kPolicies) + "on_error: allow\naudit: { log: /nonexistent-dir/audit.jsonl }\n");
  g.Commit("infra/prod.tfstate", "{}\n", "state");
  std::string before = g.ServerRev("main");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(r.err.find("forbidden-path") != std::string::npos);
  CHECK(r.err.find("audit log") != std::string::npos);
  CHECK(g.ServerRev("main") == before);
}

TEST_CASE("on_error: allow never accepts a push that could not be audited") {
  Gate g;
  g.InstallGate(std::string(kPolicies) + "on_error: allow\naudit: { log: /nonexistent-dir/audit.jsonl }\n");
  g.Commit("src/fine.txt", "fine\n", "clean");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(r.err.find("audit log") != std::string::npos);
}

TEST_CASE("a pushed commit libgit2 cannot parse is refused even with on_error: allow") {
  Gate g(std::string(kPolicies) + "on_error: allow\n");
  std::string tree = g.Run("git rev-parse HEAD^{tree}").out.substr(0, 40);
  std::string parent = g.Run("git rev-parse HEAD").out.substr(0, 40);
  // An author line without an e-mail: git's own fsck calls it malformed.
  auto made = g.Run("printf 'tree " + tree + "\\nparent " + parent +
                    "\\nauthor Mallory 1700000000 +0000\\ncommitter Mallory <m@example.com> 1700000000 +0000\\n\\nx\\n' | "
                    "git hash-object -t commit --literally -w --stdin");
  REQUIRE(made.code == 0);
  std::string bad = made.out.substr(0, 40);
  std::string before = g.ServerRev("main");
  auto r = g.Push("--no-verify origin " + bad + ":refs/heads/main");
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(g.ServerRev("main") == before);
}
