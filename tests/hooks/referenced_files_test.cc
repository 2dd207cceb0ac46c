// Tests of the referenced-file checks (hooks/referenced_files.h): each file a configuration names
// is loaded with the loader the gate uses; `pushgate config check` runs them on a real bare
// repository's configuration and fails, naming every key, when one does not load.
#include "hooks/referenced_files.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "base/files.h"
#include "tests/support/git_fixture.h"

using namespace pushgate;
using pushgate::testing::CmdResult;
using pushgate::testing::GitFixture;
using pushgate::testing::PushgateBinary;
using pushgate::testing::Sh;

namespace {

bool Has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// A bare server whose configuration (server.git/pushgate.yaml) names files under root()/trust.
struct ConfiguredServer : GitFixture {
  std::string trust() const { return root() + "/trust"; }

  ConfiguredServer() { std::filesystem::create_directories(trust()); }

  // A valid allowed_signers file with one real Ed25519 key, at trust()/name.
  std::string WriteAllowedSigners(const std::string& name, const std::string& principal) {
    auto key = Run("ssh-keygen -q -t ed25519 -N '' -C " + principal + " -f '" + trust() + "/" + name + ".key' && "
                   "cat '" + trust() + "/" + name + ".key.pub'", root());
    REQUIRE(key.code == 0);
    std::string path = trust() + "/" + name;
    REQUIRE(WriteFileAtomic(path, principal + " " + key.out).ok());
    return path;
  }

  // `pushgate config check` as a hook would find the configuration: from GIT_DIR.
  CmdResult ConfigCheck() const { return Run("GIT_DIR='" + server() + "' '" + PushgateBinary() + "' config check", server()); }
};

const char kEnvironment[] =
    "environments:\n"
    "  - name: production\n"
    "    refs: [refs/heads/main]\n"
    "    paths: [\"live/**\"]\n"
    "    require_signed: true\n";

}  // namespace

TEST_CASE("config check: a configured allowed_signers that does not exist fails with exit 2 naming the key") {
  ConfiguredServer s;
  s.InstallGate("version: 1\nsigners:\n  allowed_signers: " + s.trust() + "/allowed_signers\n" + kEnvironment);
  auto missing = s.ConfigCheck();
  INFO(missing.all());
  CHECK(missing.code == 2);
  CHECK(Has(missing.err, "signers.allowed_signers"));
  CHECK(Has(missing.err, s.trust() + "/allowed_signers"));
  CHECK_FALSE(Has(missing.out, ": ok"));

  // The twin: once the file exists and parses, the same configuration is ok.
  s.WriteAllowedSigners("allowed_signers", "alice@example.com");
  auto ok = s.ConfigCheck();
  INFO(ok.all());
  CHECK(ok.code == 0);
  CHECK(Has(ok.out, s.server() + "/pushgate.yaml: ok"));

  // A file that is there but is not allowed_signers is as useless to the gate as a missing one.
  REQUIRE(WriteFileAtomic(s.trust() + "/allowed_signers", "alice@example.com ssh-ed25519 not-base64!\n").ok());
  auto malformed = s.ConfigCheck();
  INFO(malformed.all());
  CHECK(malformed.code == 2);
  CHECK(Has(malformed.err, "signers.allowed_signers"));
}

TEST_CASE("config check: every unusable referenced file is reported at once, each with its key") {
  ConfiguredServer s;
  std::string t = s.trust();
  s.InstallGate("version: 1\n"
                "secrets:\n  baseline: " + t + "/baseline.json\n  extra_rules: [" + t + "/rules.yaml]\n"
                "signers:\n  allowed_signers: " + t + "/allowed_signers\n  openpgp_keys: " + t + "/openpgp\n"
                "  gpg_fallback: { enabled: true, keyring: " + t + "/trusted.gpg }\n"
                "breakglass:\n  approvers: " + t + "/approvers\n  used_tokens: " + t + "/used\n"
                "policies:\n  external:\n    - id: conftest\n      command: [" + t + "/bin/conftest, test]\n"
                "      paths: [\"**/*.yaml\"]\n"
                "    - id: lint\n      command: [pushgate-no-such-program]\n      paths: [\"**/*.yaml\"]\n");
  auto r = s.ConfigCheck();
  INFO(r.all());
  CHECK(r.code == 2);
  for (const char* key : {"signers.allowed_signers", "signers.openpgp_keys", "signers.gpg_fallback.keyring",
                          "breakglass.approvers", "secrets.baseline", "secrets.extra_rules",
                          "policies.external[conftest].command", "policies.external[lint].command"}) {
    INFO(key);
    CHECK(Has(r.err, std::string(key) + ": "));
  }
  CHECK(Has(r.err, "'pushgate-no-such-program' was not found on PATH"));

  // Every file in place: ok. The keyrings are exported by gpg, the baseline written by pushgate.
  s.WriteAllowedSigners("allowed_signers", "alice@example.com");
  s.WriteAllowedSigners("approvers", "bob");
  auto gpg = s.Run("export GNUPGHOME='" + t + "/gnupg' && mkdir -m 700 -p \"$GNUPGHOME\" && "
                   "gpg -q --batch --passphrase '' --quick-gen-key 'Alice <alice@example.com>' ed25519 sign never && "
                   "mkdir -p '" + t + "/openpgp' && gpg -q --armor --export alice@example.com >'" + t +
                   "/openpgp/alice.asc' && gpg -q --export alice@example.com >'" + t + "/trusted.gpg'",
                   t);
  INFO(gpg.all());
  REQUIRE(gpg.code == 0);
  REQUIRE(s.Run("'" + PushgateBinary() + "' scan --no-git --write-baseline '" + t + "/baseline.json' '" + t + "/openpgp'", t)
              .code == 0);
  REQUIRE(WriteFileAtomic(t + "/rules.yaml",
                          "rules:\n  - id: acme-token\n    name: Acme token\n    pattern: '\\b(acme_[a-z0-9]{32})\\b'\n"
                          "    confidence: high\n    examples: [\"acme_0123456789abcdefghijklmnopqrstuv\"]\n").ok());
  std::filesystem::create_directories(t + "/bin");
  REQUIRE(WriteFileAtomic(t + "/bin/conftest", "#!/bin/sh\nexit 0\n", 0755).ok());
  REQUIRE(WriteFileAtomic(t + "/bin/pushgate-no-such-program", "#!/bin/sh\nexit 0\n", 0755).ok());
  auto ok = s.Run("PATH='" + t + "/bin':\"$PATH\" GIT_DIR='" + s.server() + "' '" + PushgateBinary() + "' config check",
                  s.server());
  INFO(ok.all());
  CHECK(ok.code == 0);

  // A rule file whose pattern does not compile, and a program that is not executable.
  REQUIRE(WriteFileAtomic(t + "/rules.yaml",
                          "rules:\n  - id: acme-token\n    name: Acme token\n    pattern: '(acme_[a-z'\n"
                          "    confidence: high\n    examples: [\"acme_0\"]\n").ok());
  REQUIRE(WriteFileAtomic(t + "/bin/conftest", "#!/bin/sh\nexit 0\n", 0644).ok());
  auto broken = s.Run("PATH='" + t + "/bin':\"$PATH\" GIT_DIR='" + s.server() + "' '" + PushgateBinary() +
                          "' config check",
                      s.server());
  INFO(broken.all());
  CHECK(broken.code == 2);
  CHECK(Has(broken.err, "secrets.extra_rules: "));
  CHECK(Has(broken.err, "policies.external[conftest].command: " + t + "/bin/conftest is not an executable file"));
  CHECK_FALSE(Has(broken.err, "signers.allowed_signers"));
}

TEST_CASE("CheckEachReferencedFile lists only the keys the configuration sets") {
  Config cfg;
  CHECK(CheckEachReferencedFile(cfg).empty());
  CHECK(CheckReferencedFiles(cfg).ok());
  cfg.signers.gpg_fallback = true;
  auto checks = CheckEachReferencedFile(cfg);
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].key == "signers.gpg_fallback.keyring");
  CHECK_FALSE(checks[0].status.ok());
  cfg.signers.gpg_fallback = false;
  cfg.secrets.enabled = false;
  cfg.secrets.baseline = "/nonexistent/baseline.json";
  CHECK(CheckEachReferencedFile(cfg).empty());  // the hook does not read it with secrets off
}

TEST_CASE("ResolvePolicyProgram: absolute, relative to the config file, and PATH without relative entries") {
  TempDir tmp;
  REQUIRE(WriteFileAtomic(tmp.path() + "/tool", "#!/bin/sh\n", 0755).ok());
  CHECK(*ResolvePolicyProgram("/bin/sh", "/etc/pushgate/pushgate.yaml") == "/bin/sh");
  CHECK(*ResolvePolicyProgram("bin/check", "/etc/pushgate/pushgate.yaml") == "/etc/pushgate/bin/check");
  std::string old_path = getenv("PATH") ? getenv("PATH") : "";
  setenv("PATH", (".:" + tmp.path()).c_str(), 1);
  CHECK(*ResolvePolicyProgram("tool", "/etc/pushgate/pushgate.yaml") == tmp.path() + "/tool");
  setenv("PATH", ".", 1);
  CHECK(ResolvePolicyProgram("tool", "/etc/pushgate/pushgate.yaml").status().code() == Status::Code::kNotFound);
  setenv("PATH", old_path.c_str(), 1);
  CHECK_FALSE(ResolvePolicyProgram("", "/etc/pushgate/pushgate.yaml").ok());
}
