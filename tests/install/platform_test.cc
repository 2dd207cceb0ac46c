// End-to-end tests of pushgate on the hook layouts of Gitea/Forgejo and GitLab (Gitaly), through
// the real binary and real `git push`: the platform's hook runner is reproduced in the bare
// repository's hooks/ (Gitea's delegating scripts as Gitea writes them; Gitaly's custom_hooks
// chain, which plain git does not run by itself), and the platform's variables are set in the
// pushing process, whose environment a local receive-pack and its hooks inherit.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/files.h"
#include "install/hook_wrapper.h"
#include "tests/support/git_fixture.h"
#include "tests/support/gitea_hooks.h"

using pushgate::ReadFile;
using pushgate::WriteFileAtomic;
using pushgate::testing::CmdResult;
using pushgate::testing::GitFixture;
using pushgate::testing::PushgateBinary;
using pushgate::testing::Sh;
using pushgate::testing::kGiteaPostReceive;
using pushgate::testing::kGiteaPreReceive;
using pushgate::testing::kGiteaUpdate;

namespace {

// A stand-in for Gitea's own hooks/pre-receive.d/gitea (which runs `gitea hook pre-receive`):
// records who Gitea says is pushing. Gitea writes hooks/update.d/gitea too.
const char kGiteaOwnHook[] =
    "#!/bin/sh\n"
    "cat >/dev/null\n"
    "echo \"$GITEA_PUSHER_NAME\" >>\"$GIT_DIR/../gitea-hook.log\"\n";

// What Gitaly does for a repository's custom hooks (internal/gitaly/hook/custom.go): run
// custom_hooks/<hook>, then custom_hooks/<hook>.d/* in name order, then the server-wide
// <custom_hooks_dir>/<hook>.d/* when server_hooks_dir is given; executable files not ending in `~`,
// each with the same input, stopping at the first failure.
std::string GitalyRunner(const std::string& hook, const std::string& server_hooks_dir = "") {
  bool has_input = hook != "update";
  std::string pass_input = has_input ? " <\"$input\"" : "";
  std::string server_wide = server_hooks_dir.empty() ? "" : " '" + server_hooks_dir + "/" + hook + ".d'/*";
  return "#!/usr/bin/env bash\n"
         "# custom_hooks runner, as Gitaly runs it\n"
         "repo=$(cd \"$(dirname \"$0\")/..\" && pwd)\n"
         "input=$(mktemp)\n"
         "trap 'rm -f \"$input\"' EXIT\n" +
         std::string(has_input ? "cat >\"$input\"\n" : "") +
         "for h in \"$repo/custom_hooks/" + hook + "\" \"$repo\"/custom_hooks/" + hook + ".d/*" + server_wide + "; do\n"
         "  case $h in *~) continue ;; esac\n"
         "  test -f \"$h\" && test -x \"$h\" || continue\n"
         "  \"$h\" \"$@\"" + pass_input + " || exit $?\n"
         "done\n";
}

const char kConfig[] = "version: 1\npolicies:\n  forbidden_paths: [\"*.tfstate\"]\n";

// Recursive listing of dir with types, modes, symlink targets and content hashes, leaving out the
// paths a push legitimately changes when `skip_push_state`.
std::string Snapshot(const std::string& dir, bool skip_push_state = false) {
  std::string prune = skip_push_state
                          ? "\\( -path ./objects -o -path ./refs -o -path ./logs -o -name packed-refs \\) -prune -o "
                          : "";
  auto r = Sh("find . " + prune + "-printf '%y %m %p -> %l\\n' | LC_ALL=C sort && find . " + prune +
                  "-type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum",
              dir);
  REQUIRE(r.code == 0);
  return r.out;
}

// A bare server laid out as the platform leaves it, with pushgate's config and an audit log
// outside the repository.
struct PlatformServer : GitFixture {
  std::string audit() const { return root() + "/audit.jsonl"; }

  void WriteConfig() {
    REQUIRE(WriteFileAtomic(server() + "/pushgate.yaml", std::string(kConfig) + "audit:\n  log: " + audit() + "\n").ok());
  }

  CmdResult Pushgate(const std::string& args) const {
    auto r = Run("'" + PushgateBinary() + "' " + args, server());
    INFO(r.all());
    REQUIRE(r.code == 0);
    return r;
  }

  // `git push` from the working clone with the platform's variables in the environment.
  CmdResult PushAs(const std::map<std::string, std::string>& platform_env, const std::string& args = "origin main") const {
    std::map<std::string, std::string> e = env();
    e.insert(platform_env.begin(), platform_env.end());
    return Sh("git push " + args, work(), e);
  }

  // Every record of the audit log.
  std::vector<nlohmann::json> AuditRecords() const {
    std::vector<nlohmann::json> records;
    auto text = ReadFile(audit());
    if (!text.ok()) return records;
    size_t start = 0;
    for (size_t nl = text->find('\n'); nl != std::string::npos; start = nl + 1, nl = text->find('\n', start)) {
      records.push_back(nlohmann::json::parse(text->substr(start, nl - start)));
    }
    return records;
  }

  // The records of decisions on pushes (pre-receive or update), leaving out the `landed` records
  // post-receive writes once refs moved.
  std::vector<nlohmann::json> Decisions() const {
    std::vector<nlohmann::json> out;
    for (auto& r : AuditRecords()) {
      if (r["decision"] != "landed") out.push_back(std::move(r));
    }
    return out;
  }

  // The last decision record.
  nlohmann::json LastAudit() const {
    auto d = Decisions();
    REQUIRE(!d.empty());
    return d.back();
  }

  size_t DecisionCount() const { return Decisions().size(); }

  size_t LandedRecords() const { return AuditRecords().size() - Decisions().size(); }
};

struct GiteaServer : PlatformServer {
  GiteaServer() {
    REQUIRE(WriteFileAtomic(server() + "/hooks/pre-receive", kGiteaPreReceive, 0755).ok());
    REQUIRE(WriteFileAtomic(server() + "/hooks/update", kGiteaUpdate, 0755).ok());
    REQUIRE(WriteFileAtomic(server() + "/hooks/post-receive", kGiteaPostReceive, 0755).ok());
    std::filesystem::create_directories(server() + "/hooks/pre-receive.d");
    std::filesystem::create_directories(server() + "/hooks/update.d");
    std::filesystem::create_directories(server() + "/hooks/post-receive.d");
    REQUIRE(WriteFileAtomic(server() + "/hooks/post-receive.d/gitea", "#!/bin/sh\ncat >/dev/null\n", 0755).ok());
    REQUIRE(WriteFileAtomic(server() + "/hooks/pre-receive.d/gitea", kGiteaOwnHook, 0755).ok());
    REQUIRE(WriteFileAtomic(server() + "/hooks/update.d/gitea", "#!/bin/sh\nexit 0\n", 0755).ok());
    WriteConfig();
  }
};

const std::map<std::string, std::string> kGiteaEnv = {
    {"GITEA_PUSHER_NAME", "carol"},        {"GITEA_PUSHER_EMAIL", "carol@example.com"},
    {"GITEA_REPO_USER_NAME", "acme"},      {"GITEA_REPO_NAME", "infra"},
    {"GITEA_PUSHER_ID", "7"},              {"GITEA_REPO_ID", "3"},
    {"SSH_ORIGINAL_COMMAND", "git-receive-pack 'acme/infra.git'"},
};

struct GitLabServer : PlatformServer {
  GitLabServer() {
    for (const char* hook : {"pre-receive", "update", "post-receive"}) {
      REQUIRE(WriteFileAtomic(server() + "/hooks/" + hook, GitalyRunner(hook), 0755).ok());
    }
    WriteConfig();
  }
};

// A GitLab server whose Gitaly also runs the server-wide hooks of hooks.custom_hooks_dir.
struct GitalyServerHooks : PlatformServer {
  std::string hooks_dir() const { return root() + "/gitaly/custom_hooks"; }
  GitalyServerHooks() {
    std::filesystem::create_directories(hooks_dir());
    for (const char* hook : {"pre-receive", "update", "post-receive"}) {
      REQUIRE(WriteFileAtomic(server() + "/hooks/" + hook, GitalyRunner(hook, hooks_dir()), 0755).ok());
    }
    WriteConfig();
  }
};

const std::map<std::string, std::string> kGitLabWebEnv = {
    {"GL_ID", "user-42"},          {"GL_USERNAME", "dave"},         {"GL_PROJECT_PATH", "platform/infra"},
    {"GL_PROTOCOL", "web"},        {"GL_REPOSITORY", "project-42"},
};

}  // namespace

TEST_CASE("gitea: a forbidden path is refused and audited with Gitea's pusher and owner/name") {
  GiteaServer s;
  s.Pushgate("install --gitea .");
  s.Commit("README.md", "hello\n", "initial");
  auto first = s.PushAs(kGiteaEnv);
  INFO(first.all());
  REQUIRE(first.code == 0);

  std::string before = s.ServerRev("main");
  s.Commit("prod.tfstate", "{}\n", "state");
  auto r = s.PushAs(kGiteaEnv);
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(r.err.find("pushgate: error: forbidden-path: refs/heads/main") != std::string::npos);
  CHECK(r.err.find("GL-HOOK-ERR:") == std::string::npos);
  CHECK(s.ServerRev("main") == before);

  auto record = s.LastAudit();
  CHECK(record["decision"] == "rejected");
  CHECK(record["pusher"] == "carol");
  CHECK(record["pusher_email"] == "carol@example.com");
  CHECK(record["repository"] == "acme/infra");
  CHECK(record["platform"] == "gitea");
  CHECK(record["findings"][0]["rule"] == "forbidden-path");
  // Gitea's own hook ran beside pushgate's, with the same variables.
  auto gitea_log = ReadFile(s.root() + "/gitea-hook.log");
  REQUIRE(gitea_log.ok());
  CHECK(*gitea_log == "carol\ncarol\n");
}

TEST_CASE("gitea: a clean push lands and is audited as accepted") {
  GiteaServer s;
  auto installed = s.Pushgate("install --gitea .");
  CHECK(installed.out.find("note:") == std::string::npos);  // Gitea's hooks delegate to every *.d
  for (const char* hook : {"pre-receive", "update", "post-receive"}) {
    CHECK(pushgate::IsManagedHook(s.server() + "/hooks/" + hook + ".d/pushgate"));
  }
  s.Commit("README.md", "hello\n", "initial");
  REQUIRE(s.PushAs(kGiteaEnv).code == 0);
  s.Commit("src/main.tf", "resource \"null\" \"x\" {}\n", "code");
  auto r = s.PushAs(kGiteaEnv);
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(s.ServerRev("main") == s.Run("git rev-parse HEAD").out.substr(0, 40));
  CHECK(s.DecisionCount() == 2);
  auto record = s.LastAudit();
  CHECK(record["decision"] == "accepted");
  CHECK(record["pusher"] == "carol");
  CHECK(record["repository"] == "acme/infra");
}

TEST_CASE("gitea: an internal push (GITEA_INTERNAL_PUSH=true) is accepted without checks") {
  GiteaServer s;
  s.Pushgate("install --gitea .");
  s.Commit("README.md", "hello\n", "initial");
  REQUIRE(s.PushAs(kGiteaEnv).code == 0);
  s.Commit("mirror/prod.tfstate", "{}\n", "synced by Gitea");
  auto internal = kGiteaEnv;
  internal["GITEA_INTERNAL_PUSH"] = "true";
  auto r = s.PushAs(internal);
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(s.ServerRev("main") == s.Run("git rev-parse HEAD").out.substr(0, 40));
  CHECK(r.err.find("forbidden-path") == std::string::npos);

  // The same content from a person is refused.
  s.Commit("mirror/other.tfstate", "{}\n", "by hand");
  CHECK(s.PushAs(kGiteaEnv).code != 0);
}

TEST_CASE("gitea: uninstall leaves the repository as it was, before and after pushes") {
  GiteaServer s;
  std::string pristine = Snapshot(s.server());
  s.Pushgate("install --gitea .");
  CHECK(Snapshot(s.server()) != pristine);
  s.Pushgate("uninstall --gitea .");
  CHECK(Snapshot(s.server()) == pristine);

  std::string pristine_config = Snapshot(s.server(), true);
  s.Pushgate("install --gitea .");
  s.Commit("README.md", "hello\n", "initial");
  REQUIRE(s.PushAs(kGiteaEnv).code == 0);
  s.Commit("x.tfstate", "{}\n", "refused");
  REQUIRE(s.PushAs(kGiteaEnv).code != 0);
  s.Pushgate("uninstall --gitea .");
  std::string after = Snapshot(s.server(), true);
  // Gitea's own hook wrote its log outside the repository; everything pushgate touched is back.
  CHECK(after == pristine_config);

  // With pushgate gone, Gitea's hooks alone let the refused content in.
  CHECK(s.PushAs(kGiteaEnv).code == 0);
}

TEST_CASE("gitlab: a refusal from custom_hooks is repeated on GL-HOOK-ERR lines and audited with GL_USERNAME") {
  GitLabServer s;
  s.Pushgate("install --gitlab .");
  s.Commit("README.md", "hello\n", "initial");
  REQUIRE(s.PushAs(kGitLabWebEnv).code == 0);

  std::string before = s.ServerRev("main");
  s.Commit("terraform/prod.tfstate", "{}\n", "state");
  auto r = s.PushAs(kGitLabWebEnv);
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(s.ServerRev("main") == before);
  // git prefixes hook output with "remote: "; GitLab reads the hook's own lines, which must start
  // with the prefix.
  CHECK(r.err.find("\nremote: GL-HOOK-ERR: pushgate: error: forbidden-path: refs/heads/main") != std::string::npos);
  CHECK(r.err.find("terraform/prod.tfstate") != std::string::npos);
  CHECK(r.err.find("\nremote: GL-HOOK-ERR: pushgate: push refused") != std::string::npos);

  auto record = s.LastAudit();
  CHECK(record["decision"] == "rejected");
  CHECK(record["pusher"] == "dave");
  CHECK(record["repository"] == "platform/infra");
  CHECK(record["platform"] == "gitlab");
}

TEST_CASE("gitlab: a clean push lands, and uninstall restores the repository") {
  GitLabServer s;
  std::string pristine = Snapshot(s.server(), true);
  s.Pushgate("install --gitlab .");
  for (const char* hook : {"pre-receive", "update", "post-receive"}) {
    CHECK(pushgate::IsManagedHook(s.server() + "/custom_hooks/" + hook + ".d/pushgate"));
  }
  s.Commit("README.md", "hello\n", "initial");
  auto r = s.PushAs(kGitLabWebEnv);
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(r.err.find("GL-HOOK-ERR") == std::string::npos);
  CHECK(s.LastAudit()["decision"] == "accepted");
  CHECK(s.LastAudit()["pusher"] == "dave");
  s.Pushgate("uninstall --gitlab .");
  CHECK(Snapshot(s.server(), true) == pristine);
  CHECK_FALSE(std::filesystem::exists(s.server() + "/custom_hooks"));
}

TEST_CASE("gitlab server-wide hooks: a push is judged once, by pre-receive; update judges alone once pre-receive is gone") {
  GitalyServerHooks s;
  s.Pushgate("install --gitlab-server-hooks '" + s.hooks_dir() + "'");
  s.Commit("README.md", "hello\n", "initial");
  auto first = s.PushAs(kGitLabWebEnv);
  INFO(first.all());
  REQUIRE(first.code == 0);
  // One push of one ref: one decision, not one from pre-receive and another from update.
  CHECK(s.DecisionCount() == 1);
  CHECK(s.LandedRecords() == 1);
  CHECK(s.LastAudit()["decision"] == "accepted");

  std::string before = s.ServerRev("main");
  s.Commit("prod.tfstate", "{}\n", "state");
  auto refused = s.PushAs(kGitLabWebEnv);
  INFO(refused.all());
  CHECK(refused.code != 0);
  CHECK(s.ServerRev("main") == before);
  CHECK(s.DecisionCount() == 2);
  CHECK(s.LastAudit()["decision"] == "rejected");

  // Gitaly skips a pre-receive wrapper that is not executable: update must judge.
  std::string pre_receive = s.hooks_dir() + "/pre-receive.d/pushgate";
  REQUIRE(Sh("chmod 644 '" + pre_receive + "'", s.root()).code == 0);
  auto skipped = s.PushAs(kGitLabWebEnv);
  INFO(skipped.all());
  CHECK(skipped.code != 0);
  CHECK(skipped.err.find("forbidden-path") != std::string::npos);
  CHECK(s.ServerRev("main") == before);
  CHECK(s.DecisionCount() == 3);

  // Update-only mode: the administrator deletes pre-receive; update refuses the bad ref and lets a
  // good one land, one decision per ref.
  REQUIRE(std::filesystem::remove(pre_receive));
  auto update_only = s.PushAs(kGitLabWebEnv, "origin main HEAD~1:refs/heads/topic");
  INFO(update_only.all());
  CHECK(update_only.code != 0);
  CHECK(update_only.err.find("forbidden-path") != std::string::npos);
  CHECK(s.ServerRev("main") == before);
  CHECK(s.ServerRev("topic") == before);
  CHECK(s.DecisionCount() == 5);
  CHECK(s.LandedRecords() == 2);  // the first push and topic
}

TEST_CASE("gitlab server-wide hooks: install writes pre-receive, update and post-receive wrappers; uninstall removes them") {
  GitalyServerHooks s;
  std::filesystem::create_directories(s.hooks_dir() + "/post-receive.d");
  REQUIRE(WriteFileAtomic(s.hooks_dir() + "/post-receive.d/50-notify", "#!/bin/sh\ncat >>\"$0.log\"\n", 0755).ok());
  std::string pristine = Snapshot(s.hooks_dir());
  s.Pushgate("install --gitlab-server-hooks '" + s.hooks_dir() + "'");
  for (const char* hook : {"pre-receive", "update", "post-receive"}) {
    CHECK(pushgate::IsManagedHook(s.hooks_dir() + "/" + hook + ".d/pushgate"));
  }
  std::string installed = Snapshot(s.hooks_dir());
  s.Pushgate("install --gitlab-server-hooks '" + s.hooks_dir() + "'");
  CHECK(Snapshot(s.hooks_dir()) == installed);

  s.Commit("README.md", "hello\n", "initial");
  auto r = s.PushAs(kGitLabWebEnv);
  INFO(r.all());
  REQUIRE(r.code == 0);
  // The administrator's server-wide post-receive still runs beside pushgate's.
  auto notified = ReadFile(s.hooks_dir() + "/post-receive.d/50-notify.log");
  REQUIRE(notified.ok());
  CHECK(notified->find(" refs/heads/main") != std::string::npos);
  std::filesystem::remove(s.hooks_dir() + "/post-receive.d/50-notify.log");

  s.Pushgate("uninstall --gitlab-server-hooks '" + s.hooks_dir() + "'");
  CHECK(Snapshot(s.hooks_dir()) == pristine);
}
