// Tests of `pushgate doctor`: real repositories made by git and installed with the real binary,
// each broken on purpose in one way, and a healthy one where every check passes.
#include "hooks/doctor.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "base/files.h"
#include "install/hook_wrapper.h"
#include "tests/support/git_fixture.h"

using namespace pushgate;
using pushgate::testing::GitFixture;
using pushgate::testing::PushgateBinary;
using pushgate::testing::Sh;
using Level = DoctorCheck::Level;

namespace fs = std::filesystem;

namespace {

// One compiled rule database for the whole test binary, so only the tests about the cache compile.
const std::string& SharedCacheDir() {
  static TempDir dir("pushgate-doctor-cache");
  return dir.path();
}

// Points this process's git and pushgate lookups at the fixture (doctor reads the environment of
// the process it runs in, as it does on a server).
class DoctorEnv {
 public:
  explicit DoctorEnv(const GitFixture& f) {
    setenv("HOME", f.home().c_str(), 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("PUSHGATE_CACHE_DIR", SharedCacheDir().c_str(), 1);
    unsetenv("PUSHGATE_CONFIG");
    unsetenv("XDG_CACHE_HOME");
  }
};

// A bare server repository with one commit on main and pushgate installed with `install --bare`.
struct Server : GitFixture {
  // The config is written after the first push, so that a broken one still leaves a repository
  // with history, and the push does not warm the rule cache the config names.
  explicit Server(const std::string& config = "version: 1\n") : env(*this) {
    InstallGate();
    Commit("README.md", "hello\n", "initial");
    auto r = Push("origin main");
    INFO(r.all());
    REQUIRE(r.code == 0);
    REQUIRE(WriteFileAtomic(server() + "/pushgate.yaml", config).ok());
  }
  std::vector<DoctorCheck> Doctor(const std::string& config_path = "") const {
    auto r = RunDoctor(server(), config_path);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return *r;
  }
  DoctorEnv env;
};

const DoctorCheck* Find(const std::vector<DoctorCheck>& checks, const std::string& name) {
  for (const auto& c : checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// The check named `name`; fails the test when it is absent.
DoctorCheck Get(const std::vector<DoctorCheck>& checks, const std::string& name) {
  const DoctorCheck* c = Find(checks, name);
  INFO("check " << name);
  REQUIRE(c != nullptr);
  return *c;
}

std::string Describe(const std::vector<DoctorCheck>& checks) {
  std::string s;
  for (const auto& c : checks) s += std::string(DoctorLevelName(c.level)) + " " + c.name + ": " + c.detail + " | " + c.fix + "\n";
  return s;
}

bool Has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

void Chmod(const std::string& path, unsigned mode) { REQUIRE(chmod(path.c_str(), mode) == 0); }

}  // namespace

TEST_CASE("doctor: a healthy repository passes every check, and a second run loads the rules from the cache") {
  GitFixture probe;  // only for a temporary directory outside the server
  std::string state = probe.root() + "/state";
  fs::create_directories(state);
  std::string cache = probe.root() + "/cache";
  REQUIRE(WriteFileAtomic(state + "/approvers", "# break-glass approvers\n").ok());
  Server s("version: 1\n"
           "secrets:\n  cache_dir: " + cache + "\n"
           "breakglass:\n  approvers: " + state + "/approvers\n  used_tokens: " + state + "/used-tokens\n"
           "audit:\n  log: " + state + "/audit.jsonl\n");
  REQUIRE(s.Run("git config receive.advertisePushOptions true && "
                "git -c commitGraph.generationVersion=1 commit-graph write --reachable", s.server()).code == 0);

  auto first = s.Doctor();
  INFO(Describe(first));
  CHECK(Has(Get(first, "rule database").detail, "compiled"));
  auto second = s.Doctor();
  INFO(Describe(second));
  for (const char* name : {"repository", "commit-graph", "wrapper hooks/pre-receive", "wrapper hooks/update",
                           "wrapper hooks/post-receive", "core.hooksPath", "config", "receive.advertisePushOptions", "rule cache", "rule database",
                           "audit.log", "breakglass.approvers", "breakglass.used_tokens"}) {
    INFO(name);
    CHECK(Get(second, name).level == Level::kOk);
  }
  for (const auto& c : second) CHECK(c.level == Level::kOk);
  CHECK(Has(Get(second, "rule database").detail, "loaded from the cache"));
  CHECK(Has(Get(second, "config").detail, s.server() + "/pushgate.yaml"));
  CHECK(Has(Get(second, "wrapper hooks/pre-receive").detail, PushgateBinary()));
  CHECK(Has(Get(second, "commit-graph").detail, "read by libgit2"));

  std::ostringstream captured;
  auto* old = std::cout.rdbuf(captured.rdbuf());
  int rc = RunDoctorCommand(s.server(), "", false);
  std::cout.rdbuf(old);
  CHECK(rc == 0);
  CHECK(Has(captured.str(), "ok       repository: bare repository " + s.server()));
  CHECK(Has(captured.str(), "0 errors, 0 warnings"));
}

TEST_CASE("doctor: core.hooksPath pointing elsewhere is an error until the wrapper is there, and its fix works") {
  Server s;
  std::string elsewhere = s.root() + "/shared-hooks";
  fs::create_directories(elsewhere);
  REQUIRE(s.Run("git config core.hooksPath '" + elsewhere + "'", s.server()).code == 0);
  auto checks = s.Doctor();
  auto c = Get(checks, "core.hooksPath");
  INFO(Describe(checks));
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, elsewhere));
  CHECK(Has(c.detail, "no pushgate wrapper"));
  CHECK(Has(c.fix, "--unset core.hooksPath"));

  // With pushgate's wrapper in that directory, the gate runs: only a warning remains.
  REQUIRE(s.Run("cp -p hooks/pre-receive '" + elsewhere + "/pre-receive'", s.server()).code == 0);
  c = Get(s.Doctor(), "core.hooksPath");
  CHECK(c.level == Level::kWarning);
  CHECK(Has(c.detail, "pushgate's wrapper is there"));

  // The printed fix removes the setting.
  REQUIRE(s.Run(c.fix.substr(c.fix.find("git config --file")), s.server()).code == 0);
  CHECK(Get(s.Doctor(), "core.hooksPath").level == Level::kOk);
}

TEST_CASE("doctor: a relative core.hooksPath of a bare repository is resolved against the repository") {
  Server s;
  REQUIRE(s.Run("mkdir -p custom && git config core.hooksPath custom", s.server()).code == 0);
  auto c = Get(s.Doctor(), "core.hooksPath");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, s.server() + "/custom"));
}

TEST_CASE("doctor: a wrapper that is not executable is an error with a chmod fix") {
  Server s;
  Chmod(s.server() + "/hooks/pre-receive", 0644);
  auto checks = s.Doctor();
  auto c = Get(checks, "wrapper hooks/pre-receive");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, "not executable"));
  CHECK(Has(c.fix, "chmod 755"));
  CHECK(Get(checks, "wrapper hooks/update").level == Level::kOk);
  REQUIRE(Sh(c.fix, "/").code == 0);
  CHECK(Get(s.Doctor(), "wrapper hooks/pre-receive").level == Level::kOk);
}

TEST_CASE("doctor: a wrapper running a binary that was removed is an error naming it") {
  Server s;
  std::string moved = s.root() + "/old bin/pushgate";
  fs::create_directories(fs::path(moved).parent_path());
  fs::copy_file(PushgateBinary(), moved);
  Chmod(moved, 0755);
  auto r = s.Run("'" + moved + "' install --bare '" + s.server() + "'");
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(Get(s.Doctor(), "wrapper hooks/pre-receive").level == Level::kOk);

  fs::remove(moved);
  auto checks = s.Doctor();
  for (const char* name : {"wrapper hooks/pre-receive", "wrapper hooks/update"}) {
    auto c = Get(checks, name);
    CHECK(c.level == Level::kError);
    CHECK(Has(c.detail, moved));
    CHECK(Has(c.detail, "does not exist"));
    CHECK(Has(c.fix, "pushgate install --bare"));
  }
}

TEST_CASE("doctor: a repository without any wrapper is an error") {
  GitFixture f;
  DoctorEnv env(f);
  auto r = RunDoctor(f.server(), "");
  REQUIRE(r.ok());
  auto c = Get(*r, "hooks installed");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.fix, "pushgate install"));
}

TEST_CASE("doctor: a broken config is an error naming the file, line and key, and the wrapper's --config is used") {
  Server s("version: 1\nsecrets:\n  enabeld: true\n");
  auto checks = s.Doctor();
  auto c = Get(checks, "config");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, s.server() + "/pushgate.yaml"));
  CHECK(Has(c.detail, ":3:"));
  CHECK(Has(c.detail, "enabeld"));
  CHECK(Has(c.fix, "pushgate config check"));
  CHECK(Find(checks, "rule database") == nullptr);  // checks that need the config are skipped

  // A wrapper installed with --config points the hook, and doctor, at that file.
  std::string other = s.root() + "/other.yaml";
  REQUIRE(WriteFileAtomic(other, "version: 1\n").ok());
  auto r = s.Run("'" + PushgateBinary() + "' --config '" + other + "' install --bare '" + s.server() + "'");
  INFO(r.all());
  REQUIRE(r.code == 0);
  c = Get(s.Doctor(), "config");
  CHECK(c.level == Level::kOk);
  CHECK(Has(c.detail, other));
  CHECK(Has(c.detail, "passed by hooks/pre-receive"));
}

TEST_CASE("doctor: break-glass without receive.advertisePushOptions is an error; without break-glass it is fine") {
  GitFixture dirs;
  std::string approvers = dirs.root() + "/approvers";
  REQUIRE(WriteFileAtomic(approvers, "\n").ok());
  Server s("version: 1\nbreakglass:\n  approvers: " + approvers + "\n  used_tokens: " + dirs.root() + "/used\n");
  auto c = Get(s.Doctor(), "receive.advertisePushOptions");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, "unset"));
  CHECK(Has(c.detail, "break-glass"));
  CHECK(Has(c.fix, "receive.advertisePushOptions true"));
  REQUIRE(s.Run("git config receive.advertisePushOptions false", s.server()).code == 0);
  CHECK(Get(s.Doctor(), "receive.advertisePushOptions").level == Level::kError);
  REQUIRE(s.Run("git config receive.advertisePushOptions true", s.server()).code == 0);
  CHECK(Get(s.Doctor(), "receive.advertisePushOptions").level == Level::kOk);

  Server plain;
  c = Get(plain.Doctor(), "receive.advertisePushOptions");
  CHECK(c.level == Level::kOk);
  CHECK(Has(c.detail, "not configured"));
}

TEST_CASE("doctor: a missing post-receive wrapper is an error with break-glass, a note without") {
  GitFixture dirs;
  std::string approvers = dirs.root() + "/approvers";
  REQUIRE(WriteFileAtomic(approvers, "\n").ok());
  Server s("version: 1\nbreakglass:\n  approvers: " + approvers + "\n  used_tokens: " + dirs.root() + "/used\n");
  REQUIRE(s.Run("git config receive.advertisePushOptions true", s.server()).code == 0);
  auto installed = s.Doctor();
  INFO(Describe(installed));
  CHECK(Get(installed, "wrapper hooks/post-receive").level == Level::kOk);
  CHECK(Has(Get(installed, "wrapper hooks/post-receive").detail, "runs " + PushgateBinary()));

  // A wrapper installed before post-receive existed, or deleted by hand.
  REQUIRE(fs::remove(s.server() + "/hooks/post-receive"));
  auto missing = s.Doctor();
  INFO(Describe(missing));
  auto c = Get(missing, "wrapper hooks/post-receive");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, "never spent"));
  CHECK(Has(c.fix, "pushgate install --bare"));

  // Its fix works: installing again adds it and keeps the others.
  REQUIRE(s.Run("'" + PushgateBinary() + "' install --bare .", s.server()).code == 0);
  CHECK(Get(s.Doctor(), "wrapper hooks/post-receive").level == Level::kOk);

  // Without break-glass the post-receive wrapper is only a note.
  Server plain;
  REQUIRE(fs::remove(plain.server() + "/hooks/post-receive"));
  auto note = plain.Doctor();
  INFO(Describe(note));
  c = Get(note, "wrapper hooks/post-receive");
  CHECK(c.level == Level::kOk);
  CHECK(Has(c.detail, "missing"));
  CHECK(Has(c.detail, "break-glass is not configured"));

  // Gitea's layout: the same check for hooks/post-receive.d/pushgate.
  Server gitea;
  REQUIRE(gitea.Run("'" + PushgateBinary() + "' uninstall --bare . && '" + PushgateBinary() + "' install --gitea .",
                    gitea.server()).code == 0);
  CHECK(Get(gitea.Doctor(), "wrapper hooks/post-receive.d/pushgate").level == Level::kOk);
  REQUIRE(fs::remove(gitea.server() + "/hooks/post-receive.d/pushgate"));
  c = Get(gitea.Doctor(), "wrapper hooks/post-receive.d/pushgate");
  CHECK(Has(c.detail, "missing"));
  CHECK(Has(c.detail, "pushgate install --gitea"));
}

TEST_CASE("doctor: a configured allowed_signers that does not load is an error naming the key") {
  GitFixture dirs;
  std::string signers = dirs.root() + "/allowed_signers";
  Server s("version: 1\nsigners:\n  allowed_signers: " + signers + "\n"
           "environments:\n  - name: production\n    refs: [refs/heads/main]\n    paths: [\"live/**\"]\n"
           "    require_signed: true\n");
  auto missing = s.Doctor();
  INFO(Describe(missing));
  auto c = Get(missing, "signers.allowed_signers");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, signers));
  CHECK(Has(c.detail, "refused"));
  CHECK(Has(c.fix, "allowed_signers"));

  // The twin: a valid file is ok.
  auto key = s.Run("ssh-keygen -q -t ed25519 -N '' -C alice -f '" + dirs.root() + "/alice' && cat '" + dirs.root() +
                   "/alice.pub'", dirs.root());
  REQUIRE(key.code == 0);
  REQUIRE(WriteFileAtomic(signers, "alice@example.com " + key.out).ok());
  auto present = s.Doctor();
  INFO(Describe(present));
  CHECK(Get(present, "signers.allowed_signers").level == Level::kOk);
}

TEST_CASE("doctor: a commit-graph with generation v2 data (GDA2) is a warning, a v1 graph is fine") {
  Server s;
  for (int i = 0; i < 3; ++i) s.Commit("f" + std::to_string(i), std::to_string(i), "c");
  REQUIRE(s.Push("origin main").code == 0);
  const std::string graph = s.server() + "/objects/info/commit-graph";

  // git 2.36 and later write generation v2 by default.
  REQUIRE(s.Run("git commit-graph write --reachable", s.server()).code == 0);
  auto info = ReadCommitGraphInfo(graph);
  REQUIRE(info.ok());
  CHECK(info->version == 1);
  CHECK(info->hash_version == 1);
  CHECK(std::count(info->chunks.begin(), info->chunks.end(), "GDA2") == 1);
  CHECK(std::count(info->chunks.begin(), info->chunks.end(), "OIDF") == 1);
  auto c = Get(s.Doctor(), "commit-graph");
  CHECK(c.level == Level::kWarning);
  CHECK(Has(c.detail, "GDA2"));
  CHECK(Has(c.fix, "config commitGraph.generationVersion 1"));
  CHECK(Has(c.fix, "commit-graph write --reachable"));

  // The printed fix rewrites the graph in a form libgit2 reads.
  REQUIRE(Sh(c.fix, "/").code == 0);
  info = ReadCommitGraphInfo(graph);
  REQUIRE(info.ok());
  CHECK(std::count(info->chunks.begin(), info->chunks.end(), "GDA2") == 0);
  c = Get(s.Doctor(), "commit-graph");
  CHECK(c.level == Level::kOk);

  REQUIRE(s.Run("git config --unset commitGraph.generationVersion && rm objects/info/commit-graph && "
                "git -c commitGraph.generationVersion=1 commit-graph write --reachable", s.server()).code == 0);
  CHECK(Get(s.Doctor(), "commit-graph").level == Level::kOk);
}

TEST_CASE("doctor: bloom-filter chunks (BIDX, BDAT) are read by libgit2, with v2 generations they are not enough") {
  Server s;
  REQUIRE(s.Run("git -c commitGraph.generationVersion=1 commit-graph write --reachable --changed-paths", s.server()).code == 0);
  auto c = Get(s.Doctor(), "commit-graph");
  CHECK(c.level == Level::kOk);
  CHECK(Has(c.detail, "BIDX"));
  REQUIRE(s.Run("git commit-graph write --reachable --changed-paths", s.server()).code == 0);
  c = Get(s.Doctor(), "commit-graph");
  CHECK(c.level == Level::kWarning);
  CHECK(Has(c.detail, "GDA2"));
  REQUIRE(Sh(c.fix, "/").code == 0);
  CHECK(Get(s.Doctor(), "commit-graph").level == Level::kOk);
}

TEST_CASE("doctor: malformed commit-graph files give a clear error and a warning, never a crash") {
  Server s;
  const std::string graph = s.server() + "/objects/info/commit-graph";
  REQUIRE(s.Run("git -c commitGraph.generationVersion=1 commit-graph write --reachable", s.server()).code == 0);
  auto good = ReadFile(graph);
  REQUIRE(good.ok());

  struct Case {
    std::string name, bytes, expect;
  };
  std::string many_chunks = good->substr(0, 6) + std::string(1, '\xff') + good->substr(7, 40);
  std::string bad_offset = *good;
  for (int i = 0; i < 8; ++i) bad_offset[8 + 4 + i] = '\x7f';  // first chunk offset far past the end
  std::string no_terminator = *good;
  no_terminator[8 + 12 * static_cast<unsigned char>((*good)[6])] = 'X';
  std::vector<Case> cases = {
      {"empty", "", "truncated commit-graph header"},
      {"short header", "CGPH", "truncated commit-graph header"},
      {"wrong signature", "GRPH" + good->substr(4), "no CGPH signature"},
      {"chunk count past the end", many_chunks, "truncated chunk table"},
      {"offset past the end", bad_offset, "outside the file"},
      {"no terminating entry", no_terminator, "should end the table"},
      {"random bytes", std::string(4096, '\x9c'), "no CGPH signature"},
  };
  for (const auto& tc : cases) {
    INFO(tc.name);
    REQUIRE(WriteFileAtomic(graph, tc.bytes).ok());
    auto info = ReadCommitGraphInfo(graph);
    REQUIRE_FALSE(info.ok());
    CHECK(info.status().code() == Status::Code::kCorruption);
    CHECK(Has(info.status().message(), tc.expect));
    auto c = Get(s.Doctor(), "commit-graph");
    CHECK(c.level == Level::kWarning);
    CHECK(Has(c.fix, "rm "));
  }
}

TEST_CASE("doctor: a cache directory that cannot be created is a warning and the rules are compiled each run") {
  GitFixture dirs;
  std::string blocker = dirs.root() + "/not-a-dir";
  REQUIRE(WriteFileAtomic(blocker, "a file where the cache directory should be\n").ok());
  Server s("version: 1\nsecrets:\n  cache_dir: " + blocker + "\n");
  auto checks = s.Doctor();
  INFO(Describe(checks));
  auto cache = Get(checks, "rule cache");
  CHECK(cache.level == Level::kWarning);
  CHECK(Has(cache.detail, "not a directory"));
  CHECK(Has(cache.fix, "secrets.cache_dir"));
  auto db = Get(checks, "rule database");
  CHECK(db.level == Level::kWarning);
  CHECK(Has(db.detail, "every hook run compiles"));

  // Below a file, too: the directory could never be created.
  Server nested("version: 1\nsecrets:\n  cache_dir: " + blocker + "/sub/dir\n");
  CHECK(Get(nested.Doctor(), "rule cache").level == Level::kWarning);
}

TEST_CASE("doctor: an audit log or used-token ledger that cannot be written is an error") {
  GitFixture dirs;
  std::string blocker = dirs.root() + "/file";
  REQUIRE(WriteFileAtomic(blocker, "x\n").ok());
  Server s("version: 1\n"
           "breakglass:\n  approvers: " + dirs.root() + "/missing-approvers\n  used_tokens: " + dirs.root() + "/no/such/dir/used\n"
           "audit:\n  log: " + blocker + "/audit.jsonl\n");
  auto checks = s.Doctor();
  INFO(Describe(checks));
  auto audit = Get(checks, "audit.log");
  CHECK(audit.level == Level::kError);
  CHECK(Has(audit.detail, "decisions cannot be recorded"));
  CHECK(Get(checks, "breakglass.used_tokens").level == Level::kError);
  CHECK(Get(checks, "breakglass.approvers").level == Level::kError);
}

TEST_CASE("doctor: Gitea wrappers are checked together with Gitea's delegating hooks") {
  Server s;
  REQUIRE(s.Run("'" + PushgateBinary() + "' uninstall --bare . && '" + PushgateBinary() + "' install --gitea .",
                s.server()).code == 0);
  auto checks = s.Doctor();
  INFO(Describe(checks));
  CHECK(Get(checks, "wrapper hooks/pre-receive.d/pushgate").level == Level::kOk);
  auto c = Get(checks, "gitea hooks/pre-receive");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, "missing"));
  CHECK(Has(c.fix, "Resynchronize"));

  // The loop Gitea writes into hooks/pre-receive runs hooks/pre-receive.d/*.
  REQUIRE(WriteFileAtomic(s.server() + "/hooks/pre-receive",
                          "#!/usr/bin/env bash\n"
                          "data=$(cat)\nhookname=$(basename $0)\nGIT_DIR=${GIT_DIR:-$(dirname $0)/..}\n"
                          "for hook in ${GIT_DIR}/hooks/${hookname}.d/*; do\n"
                          "  test -x \"${hook}\" && test -f \"${hook}\" || continue\n"
                          "  echo \"${data}\" | \"${hook}\" || exit $?\n"
                          "done\n",
                          0755)
              .ok());
  CHECK(Get(s.Doctor(), "gitea hooks/pre-receive").level == Level::kOk);
  // Gitea's post-receive delegates the same way; without it pushgate's post-receive never runs.
  c = Get(s.Doctor(), "gitea hooks/post-receive");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, "post-receive.d/pushgate never runs"));
}

TEST_CASE("doctor: a SHA-256 repository is an error libgit2 1.5.1 cannot read") {
  GitFixture f;
  DoctorEnv env(f);
  REQUIRE(f.Run("git init -q --bare --object-format=sha256 sha256.git", f.root()).code == 0);
  auto r = RunDoctor(f.root() + "/sha256.git", "");
  REQUIRE(r.ok());
  auto c = Get(*r, "repository");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, "sha256"));
  CHECK(Has(c.fix, "--object-format=sha1"));
}

TEST_CASE("doctor: a reftable repository is an error with the migration command") {
  Server s;
  REQUIRE(s.Run("git config core.repositoryformatversion 1 && git config extensions.refStorage reftable", s.server()).code == 0);
  auto c = Get(s.Doctor(), "repository");
  CHECK(c.level == Level::kError);
  CHECK(Has(c.detail, "reftable"));
  CHECK(Has(c.fix, "refs migrate --ref-format=files"));
}

TEST_CASE("doctor: a path that is not a repository fails with a clear message") {
  GitFixture f;
  DoctorEnv env(f);
  auto r = RunDoctor(f.home(), "");
  REQUIRE_FALSE(r.ok());
  CHECK(Has(r.status().message(), "not a Git repository"));
  std::ostringstream captured;
  auto* old = std::cerr.rdbuf(captured.rdbuf());
  int rc = RunDoctorCommand(f.home(), "", true);
  std::cerr.rdbuf(old);
  CHECK(rc == 2);
}

TEST_CASE("doctor: a working repository with the pre-commit hook, found from its work tree") {
  GitFixture f;
  DoctorEnv env(f);
  REQUIRE(f.Run("'" + PushgateBinary() + "' install --pre-commit .").code == 0);
  auto r = RunDoctor(f.work(), "");
  REQUIRE(r.ok());
  INFO(Describe(*r));
  CHECK(Get(*r, "wrapper hooks/pre-commit").level == Level::kOk);
  CHECK(Has(Get(*r, "repository").detail, f.work() + "/.git"));
}

TEST_CASE("ParseWrapperCommand reads back the binary and config of every wrapper form") {
  for (const std::string binary : {"/usr/bin/pushgate", "/opt/my tools/push'gate", "/tmp/$(x)/`y`/a\\b"}) {
    for (const std::string config : {"", "/etc/pushgate/it's.yaml"}) {
      for (HookKind kind : {HookKind::kPreReceive, HookKind::kUpdate, HookKind::kPostReceive, HookKind::kPreCommit}) {
        for (const std::string chained : {"", "pre-receive.pushgate-chained"}) {
          std::string script = RenderWrapper({kind, binary, config, chained});
          auto cmd = ParseWrapperCommand(script);
          INFO(script);
          REQUIRE(cmd.ok());
          CHECK(cmd->binary == binary);
          CHECK(cmd->config == config);
        }
      }
    }
  }
  CHECK_FALSE(ParseWrapperCommand("#!/bin/sh\nexec /usr/bin/pushgate pre-receive\n").ok());
  CHECK_FALSE(ParseWrapperCommand(std::string("#!/bin/sh\n") + kWrapperMarker + "1\n# nothing\n").ok());
  CHECK_FALSE(ParseWrapperCommand(std::string("#!/bin/sh\n") + kWrapperMarker + "1\nexec '/usr/bin/pushg\n").ok());
  CHECK_FALSE(ParseWrapperCommand("").ok());
}
