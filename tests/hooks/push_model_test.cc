// The push model's change lists (hooks/push_model.cc) on real repositories made by git: every
// commit's changes against every parent, deletions, renames, merges, octopus merges, orphan
// parents, symlink and gitlink replacements.
#include "hooks/push_model.h"

#include <catch2/catch.hpp>
#include <set>

#include "tests/support/git_fixture.h"

namespace pushgate {
namespace {

// Builds the model of `range` in the fixture's working clone.
PushModel Model(const testing::GitFixture& fx, const std::string& range) {
  auto repo = Repository::Discover(fx.work());
  REQUIRE(repo.ok());
  auto model = BuildRangeModel(*repo, range, "test", PushLimits{});
  INFO(model.status().ToString());
  REQUIRE(model.ok());
  return std::move(*model);
}

// The commit of the model with this id.
const PushedCommit& CommitOf(const PushModel& m, const std::string& hex) {
  for (const auto& c : m.commits) {
    if (c.hex == hex) return c;
  }
  FAIL("commit " << hex << " is not in the model");
  return m.commits.front();
}

// "status parent path[<-old_path]" for each change, sorted.
std::set<std::string> Changes(const PushedCommit& c) {
  std::set<std::string> out;
  for (const auto& ch : c.changes) {
    out.insert(std::string(1, ch.status) + " " + std::to_string(ch.parent) + " " + ch.path +
               (ch.old_path != ch.path ? "<-" + ch.old_path : ""));
  }
  return out;
}

std::string Rev(const testing::GitFixture& fx, const std::string& rev) {
  return fx.Run("git rev-parse " + rev).out.substr(0, 40);
}

}  // namespace

TEST_CASE("a commit that deletes a file keeps every other change's path") {
  testing::GitFixture fx;
  fx.Commit("README", "r\n", "one");
  fx.Commit("live/app.yaml", "a: 1\n", "two");
  REQUIRE(fx.Run("git rm -q README && echo 'a: 2' > live/app.yaml && echo n > new.txt && git add -A && "
                 "git commit -qm three").code == 0);
  auto m = Model(fx, "HEAD~1..HEAD");
  REQUIRE(m.commits.size() == 1);
  CHECK(Changes(m.commits[0]) == std::set<std::string>{"D 0 README", "M 0 live/app.yaml", "A 0 new.txt"});
  auto touched = m.commits[0].TouchedPaths();
  CHECK(std::set<std::string>(touched.begin(), touched.end()) ==
        std::set<std::string>{"README", "live/app.yaml", "new.txt"});
}

TEST_CASE("an exact rename touches both paths; several deletions beside it keep theirs") {
  testing::GitFixture fx;
  fx.Commit("a.txt", "same\n", "one");
  fx.Commit("b.txt", "b\n", "two");
  fx.Commit("c.txt", "c\n", "three");
  REQUIRE(fx.Run("git mv a.txt moved.txt && git rm -q b.txt c.txt && git commit -qm four").code == 0);
  auto m = Model(fx, "HEAD~1..HEAD");
  CHECK(Changes(m.commits[0]) == std::set<std::string>{"R 0 moved.txt<-a.txt", "D 0 b.txt", "D 0 c.txt"});
}

TEST_CASE("a merge is diffed against every parent") {
  testing::GitFixture fx;
  fx.Commit("base.txt", "base\n", "base");
  fx.Run("git checkout -q -b topic");
  fx.Commit("topic.txt", "t\n", "topic");
  fx.Run("git checkout -q main");
  fx.Commit("main.txt", "m\n", "main");
  REQUIRE(fx.Run("git merge -q --no-edit topic").code == 0);
  std::string merge = Rev(fx, "HEAD");
  auto m = Model(fx, "HEAD~1..HEAD");  // the merge and the topic commit
  CHECK(m.commits.size() == 2);
  // Against main (parent 0) the topic's file is new; against topic (parent 1) main's file is.
  CHECK(Changes(CommitOf(m, merge)) == std::set<std::string>{"A 0 topic.txt", "A 1 main.txt"});
}

TEST_CASE("a merge whose first parent is older brings a path back: it changed it") {
  testing::GitFixture fx;
  fx.Commit("live/app.yaml", "v: 1\n", "one");
  std::string old = Rev(fx, "HEAD");
  fx.Commit("live/app.yaml", "v: 2\n", "two");
  std::string tip = Rev(fx, "HEAD");
  std::string merge = fx.Run("git commit-tree " + old + "^{tree} -p " + old + " -p " + tip + " -m rollback").out.substr(0, 40);
  auto m = Model(fx, tip + ".." + merge);
  REQUIRE(m.commits.size() == 1);
  CHECK(Changes(m.commits[0]) == std::set<std::string>{"M 1 live/app.yaml"});
  // The rolled-back blob is content: it is at a path, with each parent's version.
  REQUIRE(m.blobs.size() == 1);
  REQUIRE(m.blobs[0].occurrences.size() == 1);
  CHECK(m.blobs[0].occurrences[0].parent_blobs.size() == 2);
}

TEST_CASE("an octopus merge and an orphan parent") {
  testing::GitFixture fx;
  fx.Commit("base.txt", "base\n", "base");
  for (const char* b : {"x", "y"}) {
    fx.Run(std::string("git checkout -q -b ") + b + " main");
    fx.Commit(std::string(b) + ".txt", std::string(b) + "\n", b);
  }
  fx.Run("git checkout -q main");
  REQUIRE(fx.Run("git merge -q --no-ff --no-edit x y").code == 0);
  auto octo = Model(fx, "HEAD^1..HEAD");
  const PushedCommit& merge = CommitOf(octo, Rev(fx, "HEAD"));
  REQUIRE(merge.parents.size() == 3);
  CHECK(Changes(merge) == std::set<std::string>{"A 0 x.txt", "A 0 y.txt", "A 1 y.txt", "A 2 x.txt"});

  std::string empty = fx.Run("git mktree </dev/null").out.substr(0, 40);
  std::string orphan = fx.Run("git commit-tree " + empty + " -m orphan").out.substr(0, 40);
  std::string joined = fx.Run("git commit-tree " + empty + " -p " + orphan + " -p HEAD -m join").out.substr(0, 40);
  auto m = Model(fx, "HEAD.." + joined);
  const PushedCommit& j = CommitOf(m, joined);
  // Nothing changes against the orphan; everything of main is deleted against main.
  CHECK(Changes(j) == std::set<std::string>{"D 1 base.txt", "D 1 x.txt", "D 1 y.txt"});
}

TEST_CASE("a file replaced by a symlink, and a gitlink, are changes") {
  testing::GitFixture fx;
  fx.Commit("live/app.yaml", "a\n", "one");
  REQUIRE(fx.Run("rm live/app.yaml && ln -s /etc/passwd live/app.yaml && git add -A && git commit -qm link").code == 0);
  std::string sub = Rev(fx, "HEAD");
  REQUIRE(fx.Run("git update-index --add --cacheinfo 160000," + sub + ",vendor/lib && git commit -qm gitlink").code == 0);
  auto m = Model(fx, "HEAD~2..HEAD");
  REQUIRE(m.commits.size() == 2);
  CHECK(Changes(m.commits[0]) == std::set<std::string>{"T 0 live/app.yaml"});
  CHECK(Changes(m.commits[1]) == std::set<std::string>{"A 0 vendor/lib"});
  // A gitlink names a commit of another repository: it is not content to scan.
  for (const auto& b : m.blobs) CHECK(b.occurrences.front().path != "vendor/lib");
}

TEST_CASE("a tag at a tree brings the tree's files as content, and every tag message on the way") {
  testing::GitFixture fx;
  fx.Commit("a.txt", "a\n", "one");
  REQUIRE(fx.Run("git tag -a -m 'inner tag' inner HEAD^{tree} && git tag -a -m 'outer tag' outer inner").code == 0);
  auto repo = Repository::Discover(fx.work());
  REQUIRE(repo.ok());
  RefUpdate u;
  u.ref = "refs/tags/outer";
  u.old_oid = std::string(40, '0');
  u.new_oid = Rev(fx, "outer");
  auto m = BuildPushModel(*repo, {u}, PushLimits{});
  REQUIRE(m.ok());
  REQUIRE(m->blobs.size() == 1);
  CHECK(m->blobs[0].occurrences[0].path == "a.txt");
  std::set<std::string> messages;
  for (const auto& msg : m->messages) messages.insert(msg.text);
  CHECK(messages == std::set<std::string>{"inner tag\n", "outer tag\n"});
}

}  // namespace pushgate
