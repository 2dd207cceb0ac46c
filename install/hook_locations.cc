#include "install/hook_locations.h"

#include <unistd.h>

#include <cstdlib>

namespace pushgate {
namespace {

const std::vector<HookLocation> kChained = {
    {HookKind::kPreReceive, "pre-receive"},
    {HookKind::kUpdate, "update"},
    {HookKind::kPostReceive, "post-receive"},
};

const std::vector<HookLocation> kDelegated = {
    {HookKind::kPreReceive, "pre-receive.d/pushgate"},
    {HookKind::kUpdate, "update.d/pushgate"},
    {HookKind::kPostReceive, "post-receive.d/pushgate"},
};

const std::vector<HookLocation> kPreCommitOnly = {{HookKind::kPreCommit, "pre-commit"}};

// A pushgate wrapper git (or the platform's hook runner) will run: pushgate's and executable.
bool ActiveWrapper(const std::string& path) { return IsManagedHook(path) && access(path.c_str(), X_OK) == 0; }

}  // namespace

const std::vector<HookLayout>& AllHookLayouts() {
  static const std::vector<HookLayout> kAll = {HookLayout::kBare, HookLayout::kGitea, HookLayout::kGitLab,
                                               HookLayout::kGitLabServerHooks, HookLayout::kPreCommit};
  return kAll;
}

const std::vector<HookLocation>& HookLocations(HookLayout layout) {
  switch (layout) {
    case HookLayout::kBare: return kChained;
    case HookLayout::kGitea:
    case HookLayout::kGitLab:
    case HookLayout::kGitLabServerHooks: return kDelegated;
    case HookLayout::kPreCommit: return kPreCommitOnly;
  }
  return kPreCommitOnly;
}

std::string HookRel(HookLayout layout, HookKind kind) {
  for (const HookLocation& l : HookLocations(layout)) {
    if (l.kind == kind) return l.rel;
  }
  return "";
}

std::string HooksDirInGitDir(HookLayout layout) {
  switch (layout) {
    case HookLayout::kBare:
    case HookLayout::kGitea:
    case HookLayout::kPreCommit: return "hooks";
    case HookLayout::kGitLab: return "custom_hooks";
    case HookLayout::kGitLabServerHooks: return "";
  }
  return "";
}

const char* InstallOption(HookLayout layout) {
  switch (layout) {
    case HookLayout::kBare: return "--bare";
    case HookLayout::kGitea: return "--gitea";
    case HookLayout::kGitLab: return "--gitlab";
    case HookLayout::kGitLabServerHooks: return "--gitlab-server-hooks";
    case HookLayout::kPreCommit: return "--pre-commit";
  }
  return "";
}

bool ChainsExistingHooks(HookLayout layout) {
  return layout == HookLayout::kBare || layout == HookLayout::kPreCommit;
}

// True when pushgate's executable wrapper of `kind` is in one of the layouts under git_dir.
bool InstalledUnder(const std::string& git_dir, HookKind kind) {
  for (HookLayout layout : AllHookLayouts()) {
    std::string dir = HooksDirInGitDir(layout);
    std::string rel = HookRel(layout, kind);
    if (dir.empty() || rel.empty()) continue;
    if (ActiveWrapper(git_dir + "/" + dir + "/" + rel)) return true;
  }
  return false;
}

bool PreReceiveInstalled(const std::string& git_dir) {
  const char* wrapper = std::getenv(kWrapperPathVariable);
  if (wrapper && *wrapper) {
    // The update wrapper that is running names its own place; the pre-receive of the same layout
    // sits in the same hooks directory, which the same runner serves.
    const std::string path = wrapper;
    for (HookLayout layout : AllHookLayouts()) {
      std::string update = HookRel(layout, HookKind::kUpdate);
      if (update.empty()) continue;
      if (path != update && !path.ends_with("/" + update)) continue;
      std::string dir = path.substr(0, path.size() - update.size());
      if (ActiveWrapper(dir + HookRel(layout, HookKind::kPreReceive))) return true;
    }
    return false;
  }
  return InstalledUnder(git_dir, HookKind::kPreReceive);
}

bool PostReceiveInstalled(const std::string& git_dir) { return InstalledUnder(git_dir, HookKind::kPostReceive); }

}  // namespace pushgate
