// `pushgate scan`, `pushgate pre-commit` and `pushgate rules` through the real binary.
#include "hooks/scan_command.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/git_fixture.h"

using pushgate::testing::CmdResult;
using pushgate::testing::GitFixture;

namespace {

std::string Key() { return std::string("AKIA") + "QX7T2LMPZ4KDLWRB"; }

CmdResult Pushgate(const GitFixture& g, const std::string& args, const std::string& cwd = "") {
  return g.Run("'" + pushgate::testing::PushgateBinary() + "' " + args, cwd);
}

}  // namespace

TEST_CASE("scan --no-git finds a secret in files, skips .git, and exits 1") {
  GitFixture g;
  g.Run("mkdir -p tree/sub tree/.git && echo 'id=" + Key() + "' > tree/sub/a.env && echo 'id=" + Key() +
            "' > tree/.git/config && echo clean > tree/b.txt",
        g.root());
  auto r = Pushgate(g, "scan --no-git --format json tree", g.root());
  INFO(r.all());
  CHECK(r.code == 1);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["findings"].size() == 1);
  CHECK(j["findings"][0]["rule"] == "secret/aws-access-key-id");
  CHECK(j["findings"][0]["path"] == "sub/a.env");
  CHECK(j["findings"][0]["line"] == 1);
  CHECK(r.out.find(Key()) == std::string::npos);
  g.Run("rm tree/sub/a.env", g.root());
  CHECK(Pushgate(g, "scan --no-git tree", g.root()).code == 0);
}

TEST_CASE("scan --all finds a secret deleted from history, SARIF carries the commit") {
  GitFixture g;
  g.Commit("creds.txt", "key " + Key() + "\n", "add");
  std::string commit = g.Run("git rev-parse HEAD").out.substr(0, 40);
  g.Run("git rm -q creds.txt && git commit -qm remove");
  auto r = Pushgate(g, "scan --all --format sarif --output " + g.root() + "/out.sarif .");
  CHECK(r.code == 1);
  auto text = pushgate::ReadFile(g.root() + "/out.sarif");
  REQUIRE(text.ok());
  auto j = nlohmann::json::parse(*text);
  CHECK(j["version"] == "2.1.0");
  auto& res = j["runs"][0]["results"];
  REQUIRE(res.size() == 1);
  CHECK(res[0]["ruleId"] == "secret/aws-access-key-id");
  CHECK(res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "creds.txt");
  CHECK(res[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1);
  CHECK(res[0]["properties"]["commit"] == commit);
  CHECK(j["runs"][0]["tool"]["driver"]["rules"].size() > 150);
}

TEST_CASE("scan --rev looks only at the commits of the range") {
  GitFixture g;
  g.Commit("old.txt", "key " + Key() + "\n", "old");
  g.Run("git tag base");
  g.Commit("new.txt", "clean\n", "new");
  CHECK(Pushgate(g, "scan --rev base..HEAD .").code == 0);
  CHECK(Pushgate(g, "scan --rev HEAD .").code == 1);
}

TEST_CASE("write-baseline records fingerprints that later scans skip") {
  GitFixture g;
  g.Run("mkdir t && echo 'id=" + Key() + "' > t/a.env", g.root());
  auto w = Pushgate(g, "scan --no-git --write-baseline " + g.root() + "/bl.json t", g.root());
  CHECK(w.code == 0);
  auto bl = pushgate::ReadFile(g.root() + "/bl.json");
  REQUIRE(bl.ok());
  CHECK(bl->find(Key()) == std::string::npos);
  pushgate::WriteFileAtomic(g.root() + "/c.yaml", "secrets: { baseline: bl.json }\n");
  CHECK(Pushgate(g, "--config c.yaml scan --no-git t", g.root()).code == 0);
  g.Run("echo 'aws_secret_access_key = q8Jd2kLx0Vn5Rt7Yb3Hc9Wf1Zp6Ms4Ge8Ua2NoPi' >> t/a.env", g.root());
  CHECK(Pushgate(g, "--config c.yaml scan --no-git t", g.root()).code == 1);
}

TEST_CASE("the pre-commit hook refuses a staged secret and passes a clean commit") {
  GitFixture g;
  auto inst = Pushgate(g, "install --pre-commit");
  INFO(inst.all());
  REQUIRE(inst.code == 0);
  g.Run("echo 'id=" + Key() + "' > a.env && git add a.env");
  auto bad = g.Run("git commit -qm secret");
  CHECK(bad.code != 0);
  CHECK(bad.err.find("secret/aws-access-key-id") != std::string::npos);
  CHECK(bad.err.find("commit refused") != std::string::npos);
  g.Run("git rm -q --cached a.env && rm a.env && echo fine > f.txt && git add f.txt");
  CHECK(g.Run("git commit -qm clean").code == 0);
}

TEST_CASE("rules test passes on the built-in rules and rules list names them") {
  GitFixture g;
  auto t = Pushgate(g, "rules test");
  INFO(t.all());
  CHECK(t.code == 0);
  auto l = Pushgate(g, "rules list");
  CHECK(l.code == 0);
  CHECK(std::count(l.out.begin(), l.out.end(), '\n') >= 150);
  CHECK(l.out.find("secret/aws-access-key-id") != std::string::npos);
}

TEST_CASE("usage errors exit 2") {
  GitFixture g;
  CHECK(Pushgate(g, "scan --all --no-git .").code == 2);
  CHECK(Pushgate(g, "no-such-command").code == 2);
  CHECK(Pushgate(g, "--version").code == 0);
}

// scan --all judges content the way the gate does: tag targets and tag messages are content, a
// finding is credited to the commit that introduced it, and a path allowlist covers only its paths.
TEST_CASE("scan --all reads trees and blobs that tags point at, and annotated tag messages") {
  GitFixture g;
  g.Commit("README.md", "clean\n", "initial");
  std::string blob = g.Run("echo 'key " + Key() + "' | git hash-object -w --stdin").out.substr(0, 40);
  std::string tree = g.Run("printf '100644 blob " + blob + "\\tcreds.txt\\n' | git mktree").out.substr(0, 40);
  REQUIRE(g.Run("git tag -a -m 'a tree' treetag " + tree).code == 0);
  REQUIRE(g.Run("git tag -a -m 'release with " + Key() + "' v1 HEAD").code == 0);
  auto r = Pushgate(g, "scan --all --format json .");
  INFO(r.all());
  CHECK(r.code == 1);
  auto j = nlohmann::json::parse(r.out);
  bool tree_found = false, message_found = false;
  for (const auto& f : j["findings"]) {
    if (f["path"] == "creds.txt") tree_found = true;
    if (f["message"].get<std::string>().find("tag message") != std::string::npos) message_found = true;
  }
  CHECK(tree_found);
  CHECK(message_found);
}

TEST_CASE("scan --all credits a secret to the commit that introduced it") {
  GitFixture g;
  g.Commit("creds.txt", "key " + Key() + "\n", "introduce");
  std::string introduced = g.Run("git rev-parse HEAD").out.substr(0, 40);
  for (int i = 0; i < 3; ++i) g.Commit("other" + std::to_string(i) + ".txt", "x\n", "later");
  auto r = Pushgate(g, "scan --all --format json .");
  CHECK(r.code == 1);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["findings"].size() == 1);
  CHECK(j["findings"][0]["commit"] == introduced);
}

TEST_CASE("scan --all applies a path allowlist per path, not per blob") {
  GitFixture g;
  g.Run("echo 'version: 1\nsecrets: { allow: { paths: [\"fixtures/**\"] } }' > " + g.root() + "/cfg.yaml");
  g.Commit("fixtures/creds.txt", "key " + Key() + "\n", "fixture");
  auto only_fixture = Pushgate(g, "--config " + g.root() + "/cfg.yaml scan --all --format json .");
  INFO(only_fixture.all());
  CHECK(only_fixture.code == 0);
  g.Commit("prod/creds.env", "key " + Key() + "\n", "copied");
  auto r = Pushgate(g, "--config " + g.root() + "/cfg.yaml scan --all --format json .");
  INFO(r.all());
  CHECK(r.code == 1);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["findings"].size() == 1);
  CHECK(j["findings"][0]["path"] == "prod/creds.env");
}
