// Ref and commit policies (hooks/policy_checks.cc) through real pushes.
#include <catch2/catch.hpp>

#include "tests/support/git_fixture.h"

using pushgate::testing::GitFixture;

namespace {
struct Policy : GitFixture {
  explicit Policy(const std::string& config) {
    Commit("README.md", "x\n", "feat: initial");
    REQUIRE(Push("origin main").code == 0);
    InstallGate(config);
  }
};
}  // namespace

TEST_CASE("commit messages must match the pattern on the listed refs only") {
  Policy p("policies:\n  commit_message: { pattern: '^(feat|fix)(\\(.+\\))?: .+', refs: [refs/heads/main] }\n");
  p.Commit("a.txt", "a\n", "update stuff");
  auto r = p.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("commit-message") != std::string::npos);
  CHECK(p.Push("origin main:refs/heads/topic").code == 0);
  p.Run("git commit -q --amend -m 'fix(api): handle empty body'");
  CHECK(p.Push("origin main").code == 0);
}

TEST_CASE("author and committer e-mail domains are checked") {
  Policy p("policies:\n  emails: { allowed_domains: [example.com, '*.example.org'] }\n");
  p.Run("echo a > a.txt && git add a.txt && GIT_AUTHOR_EMAIL=x@evil.test git commit -qm a");
  auto r = p.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("author email <x@evil.test>") != std::string::npos);
  p.Run("git commit -q --amend --reset-author -m a2 && echo b > b.txt && git add b.txt && "
        "GIT_COMMITTER_EMAIL=ci@build.example.org git commit -qm b");
  CHECK(p.Push("origin main").code == 0);
}

TEST_CASE("only listed creators may create a protected ref pattern") {
  Policy p("policies:\n  protected_refs:\n    - pattern: refs/heads/release/*\n      creators: [rm]\n");
  auto denied = pushgate::testing::Sh("USER=alice git push origin main:refs/heads/release/1", p.work(), p.env());
  CHECK(denied.code != 0);
  CHECK(denied.err.find("alice may not create refs/heads/release/1") != std::string::npos);
  auto allowed = pushgate::testing::Sh("USER=rm git push origin main:refs/heads/release/1", p.work(), p.env());
  CHECK(allowed.code == 0);
}

TEST_CASE("linear history refuses merge commits") {
  Policy p("policies:\n  protected_refs:\n    - pattern: refs/heads/main\n      linear_history: true\n");
  p.Run("git checkout -q -b side && echo s > s.txt && git add s.txt && git commit -qm s && git checkout -q main && "
        "echo m > m.txt && git add m.txt && git commit -qm m && git merge -q --no-edit side");
  auto r = p.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("merge commit on refs/heads/main") != std::string::npos);
  p.Run("git reset -q --hard HEAD~1 && git rebase -q side");
  CHECK(p.Push("origin main").code == 0);
}
