#include "tests/support/git_fixture.h"

#include <cstdlib>

#include <catch2/catch.hpp>
#include <filesystem>

#include "base/subprocess.h"

namespace pushgate::testing {

CmdResult Sh(const std::string& script, const std::string& cwd, const std::map<std::string, std::string>& env) {
  ProcessOptions options;
  options.cwd = cwd;
  options.set_env = env;
  options.timeout = std::chrono::minutes(4);
  auto r = RunProcess({"bash", "-c", script}, options);
  REQUIRE(r.ok());
  return CmdResult{r->timed_out ? -2 : r->exit_code, r->out, r->err};
}

// PUSHGATE_TEST_BINARY runs the same end-to-end tests against another build (for instance the
// last release, to see a test fail before its fix).
std::string PushgateBinary() {
  const char* other = std::getenv("PUSHGATE_TEST_BINARY");
  return other && *other ? other : PUSHGATE_BINARY;
}
std::string SourceDir() { return PUSHGATE_SOURCE_DIR; }

GitFixture::GitFixture() : dir_("pushgate-test") {
  REQUIRE(!dir_.path().empty());
  std::filesystem::create_directories(home());
  env_ = {
      {"HOME", home()},
      {"GIT_CONFIG_NOSYSTEM", "1"},
      {"GIT_AUTHOR_NAME", "Alice"},
      {"GIT_AUTHOR_EMAIL", "alice@example.com"},
      {"GIT_COMMITTER_NAME", "Alice"},
      {"GIT_COMMITTER_EMAIL", "alice@example.com"},
      {"USER", "alice"},
      {"LC_ALL", "C"},
      {"GNUPGHOME", home() + "/.gnupg"},
  };
  auto r = Sh("git init -q --bare -b main server.git && git clone -q server.git work 2>/dev/null && "
              "git -C work config commit.gpgsign false && git -C work checkout -q -b main",
              root(), env_);
  REQUIRE(r.code == 0);
}

CmdResult GitFixture::Run(const std::string& script, const std::string& cwd) const {
  return Sh(script, cwd.empty() ? work() : cwd, env_);
}

void GitFixture::Commit(const std::string& path, const std::string& content, const std::string& message) {
  std::filesystem::path full = std::filesystem::path(work()) / path;
  std::filesystem::create_directories(full.parent_path());
  REQUIRE(WriteFileAtomic(full.string(), content).ok());
  auto r = Run("git add -f -- '" + path + "' && git commit -q -m '" + message + "'");
  INFO(r.all());
  REQUIRE(r.code == 0);
}

CmdResult GitFixture::Push(const std::string& args) const { return Run("git push " + args); }

std::string GitFixture::ServerRev(const std::string& rev) const {
  auto r = Run("git rev-parse --verify -q '" + rev + "'", server());
  if (r.code != 0) return "";
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

void GitFixture::InstallGate(const std::string& config_yaml) {
  if (!config_yaml.empty()) REQUIRE(WriteFileAtomic(server() + "/pushgate.yaml", config_yaml).ok());
  auto r = Run("'" + PushgateBinary() + "' install --bare '" + server() + "'");
  INFO(r.all());
  REQUIRE(r.code == 0);
}

}  // namespace pushgate::testing
