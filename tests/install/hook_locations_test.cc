// Tests of the hook-location table and of how the update hook learns that pushgate's own
// pre-receive runs for the same push (install/hook_locations.h), on layouts written by the real
// installer.
#include "install/hook_locations.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "base/files.h"
#include "install/installer.h"
#include "tests/support/git_fixture.h"

using namespace pushgate;
using pushgate::testing::Sh;

namespace fs = std::filesystem;

namespace {

// Sets $PUSHGATE_WRAPPER for one scope, as the update wrapper does; unset when value is empty.
class WrapperVariable {
 public:
  explicit WrapperVariable(const std::string& value) {
    if (value.empty()) {
      unsetenv(kWrapperPathVariable);
    } else {
      setenv(kWrapperPathVariable, value.c_str(), 1);
    }
  }
  ~WrapperVariable() { unsetenv(kWrapperPathVariable); }
};

InstallRequest Request(InstallTarget target, const std::string& path) {
  InstallRequest r;
  r.target = target;
  r.path = path;
  r.binary = "/usr/bin/true";
  return r;
}

std::string InitBare(const std::string& path) {
  REQUIRE(Sh("git init -q --bare '" + path + "'", "/").code == 0);
  return path;
}

}  // namespace

TEST_CASE("every server layout has a pre-receive, update and post-receive wrapper; pre-commit only pre-commit") {
  for (HookLayout layout : AllHookLayouts()) {
    bool server = layout != HookLayout::kPreCommit;
    for (HookKind kind : {HookKind::kPreReceive, HookKind::kUpdate, HookKind::kPostReceive}) {
      CHECK(HookRel(layout, kind).empty() == !server);
    }
    CHECK(HookRel(layout, HookKind::kPreCommit).empty() == server);
  }
  CHECK(HookRel(HookLayout::kBare, HookKind::kPostReceive) == "post-receive");
  CHECK(HookRel(HookLayout::kGitLabServerHooks, HookKind::kPostReceive) == "post-receive.d/pushgate");
  CHECK(HooksDirInGitDir(HookLayout::kGitLab) == "custom_hooks");
  CHECK(HooksDirInGitDir(HookLayout::kGitLabServerHooks).empty());
  CHECK(std::string(InstallOption(HookLayout::kGitLabServerHooks)) == "--gitlab-server-hooks");
}

TEST_CASE("the update wrapper's place finds pushgate's pre-receive in a server-wide directory") {
  TempDir tmp;
  std::string repo = InitBare(tmp.path() + "/repo.git");
  std::string dir = tmp.path() + "/custom_hooks";
  fs::create_directories(dir);
  REQUIRE(Install(Request(InstallTarget::kGitLabServerHooks, dir)).ok());

  {
    WrapperVariable v(dir + "/update.d/pushgate");
    CHECK(PreReceiveInstalled(repo));
  }
  {
    WrapperVariable none("");
    CHECK_FALSE(PreReceiveInstalled(repo));  // git_dir alone does not locate the server-wide directory
  }
  // Not executable: Gitaly skips it, so update must judge.
  REQUIRE(chmod((dir + "/pre-receive.d/pushgate").c_str(), 0644) == 0);
  {
    WrapperVariable v(dir + "/update.d/pushgate");
    CHECK_FALSE(PreReceiveInstalled(repo));
  }
  // Deleted for update-only mode.
  REQUIRE(fs::remove(dir + "/pre-receive.d/pushgate"));
  {
    WrapperVariable v(dir + "/update.d/pushgate");
    CHECK_FALSE(PreReceiveInstalled(repo));
  }
}

TEST_CASE("the update wrapper's place decides for bare, Gitea and GitLab repositories, also by a relative path") {
  TempDir tmp;
  for (auto [target, rel] : std::vector<std::pair<InstallTarget, std::string>>{
           {InstallTarget::kBare, "hooks/update"},
           {InstallTarget::kGitea, "hooks/update.d/pushgate"},
           {InstallTarget::kGitLab, "custom_hooks/update.d/pushgate"}}) {
    std::string repo = InitBare(tmp.path() + "/" + fs::path(rel).parent_path().filename().string() + ".git");
    REQUIRE(Install(Request(target, repo)).ok());
    INFO(rel);
    {
      WrapperVariable v(repo + "/" + rel);
      CHECK(PreReceiveInstalled(repo));
    }
    {
      WrapperVariable none("");
      CHECK(PreReceiveInstalled(repo));
    }
    {
      // git runs hooks from GIT_DIR, so $0 may be relative to the current directory.
      std::string cwd = fs::current_path();
      fs::current_path(repo);
      WrapperVariable v("./" + rel);
      CHECK(PreReceiveInstalled(repo));
      fs::current_path(cwd);
    }
    std::string pre_receive = repo + "/" + fs::path(rel).parent_path().string();
    pre_receive = target == InstallTarget::kBare ? repo + "/hooks/pre-receive"
                                                 : fs::path(pre_receive).parent_path().string() + "/pre-receive.d/pushgate";
    REQUIRE(fs::remove(pre_receive));
    {
      WrapperVariable v(repo + "/" + rel);
      CHECK_FALSE(PreReceiveInstalled(repo));
    }
    {
      WrapperVariable none("");
      CHECK_FALSE(PreReceiveInstalled(repo));
    }
  }
  // A path that is no wrapper place of any layout: update judges.
  WrapperVariable v(tmp.path() + "/elsewhere/hook");
  CHECK_FALSE(PreReceiveInstalled(tmp.path() + "/hooks.git"));
}
