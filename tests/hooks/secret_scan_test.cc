// End-to-end secret blocking through real pushes (hooks/secret_scan.cc).
#include "hooks/secret_scan.h"

#include <catch2/catch.hpp>

#include "scanner/baseline.h"
#include "tests/support/git_fixture.h"

using pushgate::testing::GitFixture;

namespace {

// A GitHub token with a valid CRC32 checksum, and an AWS key id, built at run time so that this
// source file itself carries no token.
std::string AwsKeyId() { return std::string("AKIA") + "QX7T2LMPZ4KDLWRB"; }
std::string AwsSecretLine() { return "aws_secret_access_key = q8Jd2kLx0Vn5Rt7Yb3Hc9Wf1Zp6Ms4Ge8Ua2NoPi\n"; }

struct SecretGate : GitFixture {
  explicit SecretGate(const std::string& config = "version: 1\n") {
    Commit("README.md", "hello\n", "initial");
    REQUIRE(Push("origin main").code == 0);
    InstallGate(config);
  }
};

}  // namespace

TEST_CASE("a secret is refused and shown redacted") {
  SecretGate g;
  std::string before = g.ServerRev("main");
  g.Commit("deploy/creds.env", "AWS_ACCESS_KEY_ID=" + AwsKeyId() + "\n", "creds");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("secret/aws-access-key-id: refs/heads/main") != std::string::npos);
  CHECK(r.err.find("deploy/creds.env:1") != std::string::npos);
  CHECK(r.err.find(AwsKeyId()) == std::string::npos);  // never the secret itself
  CHECK(g.ServerRev("main") == before);
}

TEST_CASE("a secret added and deleted again in the same push is still refused") {
  SecretGate g;
  g.Commit("config.ini", AwsSecretLine(), "add");
  g.Run("git rm -q config.ini && git commit -qm remove");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("secret/aws-secret-access-key") != std::string::npos);
}

TEST_CASE("a secret in a commit message is refused") {
  SecretGate g;
  g.Run("echo x > x.txt && git add x.txt && git commit -qm 'deploy with key " + AwsKeyId() + "'");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("in the commit message") != std::string::npos);
}

TEST_CASE("an edit next to a pre-existing secret lands with a warning; block_preexisting refuses it") {
  GitFixture g;
  g.Commit("settings.ini", AwsSecretLine(), "old secret, before pushgate");
  REQUIRE(g.Push("origin main").code == 0);
  g.InstallGate("version: 1\n");
  g.Commit("settings.ini", "# a comment\n" + AwsSecretLine(), "edit next to it");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(r.err.find("pushgate: warning: secret/aws-secret-access-key") != std::string::npos);
  CHECK(r.err.find("already present") != std::string::npos);

  g.InstallGate("version: 1\nsecrets: { block_preexisting: true }\n");
  g.Commit("settings.ini", "# another comment\n# a comment\n" + AwsSecretLine(), "edit again");
  CHECK(g.Push("origin main").code != 0);
}

TEST_CASE("pushgate:allow on the line lets the push land") {
  SecretGate g;
  g.Commit("test/fixture.py", "KEY = '" + AwsKeyId() + "'  # pushgate:allow test fixture\n", "fixture");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
}

TEST_CASE("a baseline fingerprint lets the push land, and only for that secret") {
  SecretGate g;
  auto baseline = pushgate::scanner::Baseline::Create();
  baseline.Add("aws-access-key-id", AwsKeyId());
  std::string path = g.root() + "/baseline.json";
  REQUIRE(baseline.Save(path).ok());
  auto text = pushgate::ReadFile(path);
  REQUIRE(text.ok());
  CHECK(text->find(AwsKeyId()) == std::string::npos);  // the baseline never holds the secret
  g.InstallGate("version: 1\nsecrets: { baseline: " + path + " }\n");
  g.Commit("a.env", "ID=" + AwsKeyId() + "\n", "known");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
  g.Commit("b.env", AwsSecretLine(), "unknown");
  CHECK(g.Push("origin main").code != 0);
}

TEST_CASE("the scan of a quarantined push sees objects of a new branch and of an annotated tag") {
  SecretGate g;
  g.Run("git checkout -q -b topic && echo 'k=" + AwsKeyId() + "' > k.txt && git add k.txt && git commit -qm k");
  auto r = g.Push("origin topic");
  CHECK(r.code != 0);
  CHECK(r.err.find("refs/heads/topic") != std::string::npos);
  g.Run("git checkout -q main && git tag -a v1 -m 'release key " + AwsKeyId() + "'");
  auto t = g.Push("origin v1");
  CHECK(t.code != 0);
  CHECK(t.err.find("in the tag message") != std::string::npos);
}

TEST_CASE("a blob over max_blob_bytes is refused as unscanned unless on_limit allows") {
  SecretGate g("version: 1\nlimits: { max_blob_bytes: 100 }\n");
  g.Commit("big.txt", std::string(1000, 'a') + "\n", "big");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("limits:") != std::string::npos);
  CHECK(r.err.find("not scanned") != std::string::npos);
  g.InstallGate("version: 1\nlimits: { max_blob_bytes: 100, on_limit: allow }\n");
  auto a = g.Push("origin main");
  CHECK(a.code == 0);
  CHECK(a.err.find("pushgate: warning: limits") != std::string::npos);
}

// Content is judged by what becomes reachable, not by what is new to the object store: each of
// these landed a secret before.

TEST_CASE("reverting the removal of a secret from before the gate is refused") {
  GitFixture g;
  g.Commit("settings.ini", AwsSecretLine(), "a secret, before pushgate");
  g.Run("git rm -q settings.ini && git commit -qm 'remove it'");
  REQUIRE(g.Push("origin main").code == 0);
  g.InstallGate("version: 1\n");
  SECTION("git revert brings the old blob back") {
    REQUIRE(g.Run("git revert --no-edit HEAD").code == 0);
    auto r = g.Push("origin main");
    INFO(r.all());
    CHECK(r.code != 0);
    CHECK(r.err.find("secret/aws-secret-access-key: refs/heads/main") != std::string::npos);
    CHECK(r.err.find("settings.ini") != std::string::npos);
  }
  SECTION("the old blob copied to a new path") {
    REQUIRE(g.Run("git show HEAD~1:settings.ini > copy.ini && git add copy.ini && git commit -qm copy").code == 0);
    auto r = g.Push("origin main");
    INFO(r.all());
    CHECK(r.code != 0);
    CHECK(r.err.find("copy.ini") != std::string::npos);
  }
  SECTION("a clean change lands") {
    g.Commit("notes.txt", "nothing secret\n", "notes");
    CHECK(g.Push("origin main").code == 0);
  }
}

TEST_CASE("a secret left in the store by a push a later hook refused is refused when another ref brings it") {
  GitFixture g;
  g.Commit("README.md", "hello\n", "initial");
  REQUIRE(g.Push("origin main").code == 0);
  // A chained update hook (gitolite's access rules, say) refuses main after pushgate accepts.
  REQUIRE(g.Run("printf '#!/bin/sh\\ncase \"$1\" in refs/heads/main) echo denied >&2; exit 1;; esac\\n' > hooks/update && "
                "chmod +x hooks/update", g.server()).code == 0);
  g.InstallGate("version: 1\nsecrets: { allow: { paths: [\"test/fixtures/**\"] } }\n");
  // The objects land in the store through an allowlisted path on a refused ref...
  g.Commit("test/fixtures/aws.ini", AwsSecretLine(), "fixture");
  auto first = g.Push("origin main");
  CHECK(first.code != 0);
  CHECK(first.err.find("denied") != std::string::npos);
  // ...and the same content under a live path, on another ref, is still judged.
  g.Run("git checkout -q -b other && git show HEAD:test/fixtures/aws.ini > prod.ini && git add prod.ini && git commit -qm copy");
  auto other = g.Push("origin other");
  INFO(other.all());
  CHECK(other.code != 0);
  CHECK(other.err.find("secret/aws-secret-access-key: refs/heads/other") != std::string::npos);
  CHECK(other.err.find("prod.ini") != std::string::npos);
}

TEST_CASE("a path allowlist suppresses a secret only at the paths it covers") {
  SecretGate g("version: 1\nsecrets: { allow: { paths: [\"test/fixtures/**\"] } }\n");
  SECTION("the same blob at an allowlisted and another path in one push") {
    g.Commit("test/fixtures/aws.ini", AwsSecretLine(), "fixture");
    g.Commit("config/prod.env", AwsSecretLine(), "the same content in production");
    auto r = g.Push("origin main");
    INFO(r.all());
    CHECK(r.code != 0);
    CHECK(r.err.find("config/prod.env") != std::string::npos);
    CHECK(r.err.find("test/fixtures/aws.ini") == std::string::npos);
  }
  SECTION("the copy in a later push") {
    g.Commit("test/fixtures/aws.ini", AwsSecretLine(), "fixture");
    auto ok = g.Push("origin main");
    INFO(ok.all());
    REQUIRE(ok.code == 0);  // allowlisted: lands
    g.Commit("config/prod.env", AwsSecretLine(), "copied");
    auto r = g.Push("origin main");
    INFO(r.all());
    CHECK(r.code != 0);
    CHECK(r.err.find("config/prod.env") != std::string::npos);
  }
}

TEST_CASE("with only the update hook installed, a tag pointing at a tree with a secret is refused") {
  SecretGate g;
  REQUIRE(g.Run("rm hooks/pre-receive", g.server()).code == 0);
  g.Run("mkdir -p t && printf '%s' '" + AwsSecretLine() + "' > t/creds.ini");
  std::string blob = g.Run("git hash-object -w t/creds.ini").out.substr(0, 40);
  std::string tree = g.Run("printf '100644 blob " + blob + "\\tcreds.ini\\n' | git mktree").out.substr(0, 40);
  REQUIRE(g.Run("git tag -a -m 'a tree' treetag " + tree).code == 0);
  auto r = g.Push("origin refs/tags/treetag");
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(r.err.find("secret/aws-secret-access-key: refs/tags/treetag") != std::string::npos);
  CHECK(g.ServerRev("treetag").empty());
  // Its twin: a tag at a clean tree lands.
  std::string clean = g.Run("printf 'ok\\n' | git hash-object -w --stdin").out.substr(0, 40);
  std::string clean_tree = g.Run("printf '100644 blob " + clean + "\\tok.txt\\n' | git mktree").out.substr(0, 40);
  REQUIRE(g.Run("git tag -a -m 'a clean tree' cleantag " + clean_tree).code == 0);
  CHECK(g.Push("origin refs/tags/cleantag").code == 0);
}

TEST_CASE("a damaged or foreign verdict cache means a rescan, never a skipped blob") {
  SecretGate g;
  g.InstallGate("version: 1\nsecrets: { cache_dir: " + g.root() + "/cache }\n");
  // Forty clean files: enough for the verdict cache, which learns them.
  REQUIRE(g.Run("mkdir -p clean && for i in $(seq 1 40); do echo \"file $i\" > clean/$i.txt; done && git add clean && "
                "git commit -qm clean").code == 0);
  REQUIRE(g.Push("origin main").code == 0);
  std::string cache = g.Run("ls " + g.root() + "/cache/verdicts-*.bin").out;
  REQUIRE(!cache.empty());
  cache.pop_back();
  // The secret's blob, and forty more clean files so that the next push reads the cache.
  g.Run("printf '%s' '" + AwsSecretLine() + "' > prod.ini && mkdir -p more && "
        "for i in $(seq 1 40); do echo \"more $i\" > more/$i.txt; done && git add -A && git commit -qm secret");
  std::string secret = g.Run("git rev-parse HEAD:prod.ini").out.substr(0, 40);
  std::string claim_clean = "perl -e 'print pack(\"H*\", \"" + secret + "\")' | dd of=" + cache +
                            " bs=1 seek=30 conv=notrunc status=none";
  SECTION("an id overwritten, checksum unchanged") { REQUIRE(g.Run(claim_clean).code == 0); }
  SECTION("truncated") { REQUIRE(g.Run(claim_clean + " && truncate -s -7 " + cache).code == 0); }
  SECTION("writable by others") { REQUIRE(g.Run(claim_clean + " && chmod 0666 " + cache).code == 0); }
  SECTION("intact") { CHECK(g.Run("test -s " + cache).code == 0); }
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(r.err.find("secret/aws-secret-access-key: refs/heads/main") != std::string::npos);
}

TEST_CASE("a push with thousands of findings is refused with a bounded report and audit record") {
  SecretGate g;
  g.InstallGate("version: 1\naudit: { log: " + g.root() + "/audit.jsonl }\n");
  // 1,500 distinct AWS key ids, one per file.
  REQUIRE(g.Run("mkdir -p keys && for i in $(seq 1 1500); do echo \"id = AKIA$(head -c 10 /dev/urandom | base32)\" "
                "> keys/$i.env; done && git add keys && git commit -qm keys").code == 0);
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("more secret/aws-access-key-id findings on refs/heads/main not listed") != std::string::npos);
  auto size = g.Run("tail -n 1 " + g.root() + "/audit.jsonl | wc -c");
  CHECK(std::stol(size.out) < 1000000);
  CHECK(g.Run("'" + pushgate::testing::PushgateBinary() + "' audit verify " + g.root() + "/audit.jsonl").code == 0);
  // The next push works.
  g.Run("git reset -q --hard origin/main");
  g.Commit("notes.txt", "clean\n", "clean");
  auto next = g.Push("origin main");
  INFO(next.all());
  CHECK(next.code == 0);
}
