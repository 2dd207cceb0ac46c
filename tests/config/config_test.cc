#include "config/config.h"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "base/files.h"
#include "tests/support/git_fixture.h"

using namespace pushgate;

TEST_CASE("an empty file gives the built-in defaults") {
  auto c = ParseConfig("", "p.yaml");
  REQUIRE(c.ok());
  CHECK(c->secrets.enabled);
  CHECK(c->on_error == FailMode::kReject);
  CHECK(c->environments.empty());
}

TEST_CASE("the SPEC's example keys parse into their values") {
  auto c = ParseConfig(R"(version: 1
on_error: allow
limits: { timeout_seconds: 30, max_blob_bytes: 1000, on_limit: allow }
secrets:
  enabled: true
  disabled_rules: [generic-secret-assignment]
  block_preexisting: true
  allow: { paths: ["docs/examples/**"], regexes: ["EXAMPLE$"], stopwords: [dummy] }
  baseline: baseline.json
teams: { "@acme/platform": [alice, bob] }
signers: { allowed_signers: allowed, ssh_fallback: false, gpg_fallback: { enabled: true, keyring: k.gpg } }
environments:
  - name: production
    refs: ["refs/heads/main"]
    paths: ["live/prod/**"]
    require_signed: true
    approver: both
    codeowners: { file: CODEOWNERS, dialect: gitlab }
policies:
  protected_refs: [{ pattern: "refs/heads/main", linear_history: true, creators: [alice] }]
  forbidden_paths: ["*.tfstate"]
  commit_message: { pattern: "^(feat|fix): .+", refs: ["refs/heads/main"] }
  emails: { allowed_domains: [example.com] }
  external: [{ id: conftest, command: [conftest, test], paths: ["**/*.yaml"], timeout_seconds: 5 }]
breakglass: { approvers: approvers, required_approvals: 2, used_tokens: used }
audit: { log: /var/log/pushgate/audit.jsonl, syslog: true }
)", "/etc/pushgate/pushgate.yaml");
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  CHECK(c->on_error == FailMode::kAllow);
  CHECK(c->limits.timeout_seconds == 30);
  CHECK(c->limits.on_limit == FailMode::kAllow);
  CHECK(c->secrets.block_preexisting);
  CHECK(c->secrets.baseline == "/etc/pushgate/baseline.json");
  CHECK(c->secrets.allow_stopwords == std::vector<std::string>{"dummy"});
  CHECK(c->teams.at("@acme/platform").size() == 2);
  CHECK_FALSE(c->signers.ssh_fallback);
  CHECK(c->signers.gpg_fallback);
  CHECK(c->signers.gpg_keyring == "/etc/pushgate/k.gpg");
  REQUIRE(c->environments.size() == 1);
  CHECK(c->environments[0].approver == Approver::kBoth);
  CHECK(c->environments[0].codeowners_dialect == CodeownersDialect::kGitLab);
  CHECK(c->environments[0].path_globs.Matches("live/prod/a.yaml"));
  CHECK(c->policies.protected_refs[0].linear_history);
  CHECK(c->policies.commit_message->ref_globs.Matches("refs/heads/main"));
  CHECK(c->policies.external[0].timeout_seconds == 5);
  CHECK(c->breakglass.required_approvals == 2);
  CHECK(c->audit.syslog);
}

TEST_CASE("every error names file, line and key, all at once") {
  auto c = ParseConfig(R"(version: 1
secrets:
  enabeld: true
  scan_messages: maybe
limits:
  timeout_seconds: -4
policies:
  forbidden_paths: ["[x"]
  commit_message: { pattern: "(unclosed" }
environments:
  - name: prod
    refs: [refs/heads/main]
    paths: [live/**]
    approver: somebody
)", "cfg.yaml");
  REQUIRE_FALSE(c.ok());
  const std::string& m = c.status().message();
  CHECK(m.find("cfg.yaml:3: secrets.enabeld: unknown key") != std::string::npos);
  CHECK(m.find("cfg.yaml:4: secrets.scan_messages: expected true or false") != std::string::npos);
  CHECK(m.find("cfg.yaml:6: limits.timeout_seconds: -4 is out of range: expected 1 to 86400") != std::string::npos);
  CHECK(m.find("cfg.yaml:8: policies.forbidden_paths") != std::string::npos);
  CHECK(m.find("cfg.yaml:9: policies.commit_message.pattern: bad regular expression") != std::string::npos);
  CHECK(m.find("cfg.yaml:14: environments[0].approver: expected one of: signer | pusher | both") != std::string::npos);
}

TEST_CASE("YAML syntax errors name the line") {
  auto c = ParseConfig("secrets:\n  enabled: [true\n", "bad.yaml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().rfind("bad.yaml:", 0) == 0);
}

TEST_CASE("break-glass approvers need a used-token ledger") {
  auto c = ParseConfig("breakglass: { approvers: /x }\n", "c.yaml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("breakglass.used_tokens") != std::string::npos);
}

TEST_CASE("lookup order: explicit, then PUSHGATE_CONFIG, then GIT_DIR/pushgate.yaml") {
  TempDir dir;
  REQUIRE(WriteFileAtomic(dir.path() + "/pushgate.yaml", "version: 1\n").ok());
  unsetenv("PUSHGATE_CONFIG");
  CHECK(LocateConfig("", dir.path()) == dir.path() + "/pushgate.yaml");
  setenv("PUSHGATE_CONFIG", "/nonexistent/p.yaml", 1);
  CHECK(LocateConfig("", dir.path()) == "/nonexistent/p.yaml");
  CHECK(LocateConfig("/explicit.yaml", dir.path()) == "/explicit.yaml");
  unsetenv("PUSHGATE_CONFIG");
  // A named file that is missing is an error, not a silent fall-back to defaults.
  CHECK_FALSE(LoadConfig("/nonexistent/p.yaml").ok());
}

// ------------------------------------------------------------------ ranges

TEST_CASE("every number out of its range is an error naming file, line and key, all at once") {
  auto c = ParseConfig(R"(version: 1
limits:
  timeout_seconds: 10000000000
  max_blob_bytes: 0
  max_commits: 0
  max_blobs: 2000000000
  max_bytes: 99999999999999
policies:
  max_file_bytes: -1
  external:
    - id: opa
      command: [opa]
      paths: ["**"]
      timeout_seconds: 9223372036854775807
breakglass:
  approvers: a
  used_tokens: u
  required_approvals: 0
  max_ttl_seconds: 99999999999
)", "cfg.yaml");
  REQUIRE_FALSE(c.ok());
  const std::string& m = c.status().message();
  INFO(m);
  CHECK(m.find("cfg.yaml:3: limits.timeout_seconds: 10000000000 is out of range: expected 1 to 86400") !=
        std::string::npos);
  CHECK(m.find("cfg.yaml:4: limits.max_blob_bytes: 0 is out of range") != std::string::npos);
  CHECK(m.find("cfg.yaml:5: limits.max_commits: 0 is out of range") != std::string::npos);
  CHECK(m.find("cfg.yaml:6: limits.max_blobs: 2000000000 is out of range") != std::string::npos);
  CHECK(m.find("cfg.yaml:7: limits.max_bytes: 99999999999999 is out of range") != std::string::npos);
  CHECK(m.find("cfg.yaml:9: policies.max_file_bytes: -1 is out of range") != std::string::npos);
  CHECK(m.find("cfg.yaml:14: policies.external[0].timeout_seconds: 9223372036854775807 is out of range") !=
        std::string::npos);
  CHECK(m.find("cfg.yaml:18: breakglass.required_approvals: 0 is out of range") != std::string::npos);
  CHECK(m.find("cfg.yaml:19: breakglass.max_ttl_seconds: 99999999999 is out of range") != std::string::npos);
}

TEST_CASE("a number too large for 64 bits is an error, not a wrapped value") {
  auto c = ParseConfig("limits:\n  timeout_seconds: 99999999999999999999999\n", "cfg.yaml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("cfg.yaml:2: limits.timeout_seconds: expected an integer from 1 to 86400") !=
        std::string::npos);
}

TEST_CASE("every number at the edges of its range is accepted") {
  auto c = ParseConfig(R"(limits: { timeout_seconds: 86400, max_blob_bytes: 1, max_commits: 1000000000, max_blobs: 1,
          max_bytes: 1099511627776 }
policies:
  max_file_bytes: 0
  external: [{ id: opa, command: [opa], paths: ["**"], timeout_seconds: 1 }]
breakglass: { approvers: a, used_tokens: u, required_approvals: 100, max_ttl_seconds: 2592000 }
)", "cfg.yaml");
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  CHECK(c->limits.timeout_seconds == 86400);
  CHECK(c->limits.max_bytes == 1099511627776);
  CHECK(c->policies.external[0].timeout_seconds == 1);
  CHECK(c->breakglass.required_approvals == 100);
  CHECK(c->breakglass.max_ttl_seconds == 2592000);
}

// ------------------------------------------------------------------ duplicate keys

TEST_CASE("a key written twice in any mapping is an error naming both lines") {
  auto c = ParseConfig(R"(version: 1
secrets: { enabled: false }
secrets: { enabled: true }
limits: { timeout_seconds: 5, timeout_seconds: 600 }
environments:
  - name: prod
    refs: [refs/heads/main]
    paths: [live/**]
    require_signed: true
    require_signed: false
policies:
  forbidden_paths: ["*.pem"]
policies:
  documents:
    - id: a
      paths: ["**/*.yaml"]
      select: kind
      assert: { exists: true, exists: false }
teams:
  "@x": [a]
  "@x": [b]
)", "cfg.yaml");
  REQUIRE_FALSE(c.ok());
  const std::string& m = c.status().message();
  INFO(m);
  CHECK(m.find("cfg.yaml:3: secrets: duplicate key (first at line 2)") != std::string::npos);
  CHECK(m.find("cfg.yaml:4: limits.timeout_seconds: duplicate key (first at line 4)") != std::string::npos);
  CHECK(m.find("cfg.yaml:10: environments[0].require_signed: duplicate key (first at line 9)") != std::string::npos);
  CHECK(m.find("cfg.yaml:13: policies: duplicate key (first at line 11)") != std::string::npos);
  CHECK(m.find("cfg.yaml:18: policies.documents[0].assert.exists: duplicate key (first at line 18)") !=
        std::string::npos);
  CHECK(m.find("cfg.yaml:21: teams.@x: duplicate key (first at line 20)") != std::string::npos);
}

TEST_CASE("the same key in different mappings, and aliases used twice, are no duplicates") {
  auto c = ParseConfig(R"(version: 1
secrets: { enabled: true }
signers: { gpg_fallback: { enabled: false } }
environments:
  - name: prod
    refs: &main [refs/heads/main]
    paths: &live { }
  - name: staging
    refs: *main
    paths: [staging/**]
)", "cfg.yaml");
  // paths: {} is a type error, not a duplicate; the alias *main is fine.
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("duplicate") == std::string::npos);
  auto ok = ParseConfig(R"(secrets: { enabled: true }
signers: { gpg_fallback: { enabled: false } }
environments:
  - { name: prod, refs: &main [refs/heads/main], paths: [live/**] }
  - { name: staging, refs: *main, paths: [staging/**] }
)", "cfg.yaml");
  INFO(ok.status().ToString());
  REQUIRE(ok.ok());
  CHECK(ok->environments[1].refs == std::vector<std::string>{"refs/heads/main"});
}

// ------------------------------------------------------------------ end to end

namespace {

using pushgate::testing::GitFixture;

std::string AwsKeyId() { return std::string("AKIA") + "QX7T2LMPZ4KDLWRB"; }

struct ConfiguredGate : GitFixture {
  explicit ConfiguredGate(const std::string& config) {
    Commit("README.md", "hello\n", "initial");
    REQUIRE(Push("origin main").code == 0);
    InstallGate(config);
  }
  testing::CmdResult ConfigCheck() const {
    return Run("'" + testing::PushgateBinary() + "' config check '" + server() + "/pushgate.yaml'");
  }
};

}  // namespace

TEST_CASE("config check and a real push refuse a timeout that would overflow the deadline") {
  ConfiguredGate g("version: 1\nlimits:\n  timeout_seconds: 10000000000\n");
  auto check = g.ConfigCheck();
  INFO(check.all());
  CHECK(check.code == 2);
  CHECK(check.all().find("pushgate.yaml:3: limits.timeout_seconds: 10000000000 is out of range") != std::string::npos);

  const std::string before = g.ServerRev("main");
  g.Commit("notes.txt", "clean\n", "clean");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(r.err.find("pushgate.yaml:3: limits.timeout_seconds: 10000000000 is out of range") != std::string::npos);
  CHECK(r.err.find("runtime error") == std::string::npos);  // no sanitizer report, a config error
  CHECK(g.ServerRev("main") == before);
}

TEST_CASE("config check and a real push accept the largest timeout") {
  ConfiguredGate g("version: 1\nlimits:\n  timeout_seconds: 86400\n");
  auto check = g.ConfigCheck();
  INFO(check.all());
  CHECK(check.code == 0);
  g.Commit("notes.txt", "clean\n", "clean");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
}

TEST_CASE("config check and a real push refuse a section written twice, whichever copy would win") {
  ConfiguredGate g("version: 1\nsecrets: { enabled: false }\nsecrets: { enabled: true }\n");
  auto check = g.ConfigCheck();
  INFO(check.all());
  CHECK(check.code == 2);
  CHECK(check.all().find("pushgate.yaml:3: secrets: duplicate key (first at line 2)") != std::string::npos);

  const std::string before = g.ServerRev("main");
  g.Commit("ids.txt", AwsKeyId() + "\n", "a key id");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(r.err.find("pushgate.yaml:3: secrets: duplicate key (first at line 2)") != std::string::npos);
  CHECK(g.ServerRev("main") == before);
}

TEST_CASE("a section written once lands a clean push") {
  ConfiguredGate g("version: 1\nsecrets: { enabled: true }\n");
  CHECK(g.ConfigCheck().code == 0);
  g.Commit("notes.txt", "clean\n", "clean");
  CHECK(g.Push("origin main").code == 0);
}
