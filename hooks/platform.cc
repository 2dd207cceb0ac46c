#include "hooks/platform.h"

#include <cstdlib>

namespace pushgate {

namespace {
std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}
}  // namespace

const char* PlatformName(Platform p) {
  switch (p) {
    case Platform::kPlain: return "git";
    case Platform::kGitea: return "gitea";
    case Platform::kGitLab: return "gitlab";
  }
  return "?";
}

PushContext PushContext::FromEnvironment(const std::string& repo_path) {
  PushContext c;
  c.repository = repo_path;
  if (!Env("GITEA_REPO_NAME").empty() || !Env("GITEA_PUSHER_NAME").empty()) {
    c.platform = Platform::kGitea;
    c.pusher = Env("GITEA_PUSHER_NAME");
    c.pusher_email = Env("GITEA_PUSHER_EMAIL");
    std::string owner = Env("GITEA_REPO_USER_NAME"), name = Env("GITEA_REPO_NAME");
    if (!owner.empty() && !name.empty()) c.repository = owner + "/" + name;
    c.internal_push = Env("GITEA_INTERNAL_PUSH") == "true";
    c.pr_id = Env("GITEA_PR_ID");
  } else if (!Env("GL_ID").empty() || !Env("GL_USERNAME").empty()) {
    c.platform = Platform::kGitLab;
    c.pusher = Env("GL_USERNAME");
    if (!Env("GL_PROJECT_PATH").empty()) c.repository = Env("GL_PROJECT_PATH");
    c.gitlab_web = Env("GL_PROTOCOL") == "web";
  }
  if (c.pusher.empty()) c.pusher = Env("REMOTE_USER");
  if (c.pusher.empty()) c.pusher = Env("USER");
  return c;
}

std::vector<std::string> PushOptionValues(const std::string& key) {
  std::vector<std::string> out;
  const std::string prefix = key + "=";
  int n = std::atoi(Env("GIT_PUSH_OPTION_COUNT").c_str());
  for (int i = 0; i < n && i < 64; ++i) {
    std::string value = Env(("GIT_PUSH_OPTION_" + std::to_string(i)).c_str());
    if (value.rfind(prefix, 0) == 0) out.push_back(value.substr(prefix.size()));
  }
  return out;
}

}  // namespace pushgate
