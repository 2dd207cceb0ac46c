#include "config/config.h"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "base/files.h"

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
  CHECK(m.find("cfg.yaml:6: limits.timeout_seconds: must be at least 1") != std::string::npos);
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
