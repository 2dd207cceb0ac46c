// Who is pushing, to which repository, through which platform: read from the variables Gitea and
// Forgejo (GITEA_*), GitLab (GL_*) and web servers (REMOTE_USER) set for hooks, with USER as the
// last resort (SPEC §1.8).
//
// Thread-safety: plain values; FromEnvironment reads the process environment.
#pragma once

#include <string>
#include <vector>

namespace pushgate {

enum class Platform { kPlain, kGitea, kGitLab };

struct PushContext {
  Platform platform = Platform::kPlain;
  std::string pusher;        // user name
  std::string pusher_email;  // may be empty (Gitea omits private emails)
  std::string repository;    // "owner/name" on Gitea/GitLab, else the absolute repository path
  bool internal_push = false;  // GITEA_INTERNAL_PUSH: a push Gitea makes itself
  std::string pr_id;           // GITEA_PR_ID: a pull-request merge
  bool gitlab_web = false;     // GL_PROTOCOL=web: only GL-HOOK-ERR lines reach the user

  // Reads the environment; repo_path is the repository directory for plain servers.
  static PushContext FromEnvironment(const std::string& repo_path);
};

const char* PlatformName(Platform p);

// The values of the push options `KEY=VALUE` sent with `git push -o` (GIT_PUSH_OPTION_COUNT and
// GIT_PUSH_OPTION_<n>; pre-receive only), for one key, in the order sent.
std::vector<std::string> PushOptionValues(const std::string& key);

}  // namespace pushgate
