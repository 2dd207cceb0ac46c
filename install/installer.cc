#include "install/installer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "base/files.h"
#include "base/subprocess.h"
#include "install/hook_locations.h"
#include "install/hook_wrapper.h"

namespace pushgate {
namespace {

// Left in every directory Install creates (not executable, so Gitea's and Gitaly's hook loops
// skip it); Uninstall removes only directories that carry it.
constexpr const char* kCreatedMarker = ".pushgate-created";

namespace fs = std::filesystem;

// One place a wrapper goes.
struct Slot {
  std::string path;
  HookKind kind;
  bool chain;  // a foreign hook here is moved aside and chained (true) or refused (false)
};

// One repository or hooks directory and its slots. Directories strictly below root that
// Uninstall leaves empty are removed, since Install may have created them.
struct Site {
  std::string root;
  std::vector<Slot> slots;
};

enum class FileState { kMissing, kManaged, kForeign, kDirectory };

Result<FileState> Inspect(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return FileState::kMissing;
    return Status::IOError(path + ": " + strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return FileState::kDirectory;
  return IsManagedHook(path) ? FileState::kManaged : FileState::kForeign;
}

std::string Normalize(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) p = path;
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string Parent(const std::string& path) { return fs::path(path).parent_path().string(); }

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Runs git with a fixed environment: variables a calling hook or script may have exported would
// otherwise redirect it to another repository.
Result<ProcessResult> Git(const std::vector<std::string>& args, const std::string& cwd = "") {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.cwd = cwd;
  options.unset_env = {"GIT_DIR",          "GIT_WORK_TREE",         "GIT_COMMON_DIR",
                       "GIT_INDEX_FILE",   "GIT_OBJECT_DIRECTORY",  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
                       "GIT_CEILING_DIRECTORIES", "GIT_NAMESPACE"};
  options.set_env = {{"LC_ALL", "C"}};
  options.timeout = std::chrono::seconds(30);
  auto r = RunProcess(argv, options);
  if (!r.ok()) return r.status().Prefixed("running git");
  if (r->timed_out) return Status::Timeout("git " + (args.empty() ? "" : args.back()) + " did not finish in 30s");
  return r;
}

// Fails unless path is an existing bare repository.
Status CheckBareRepository(const std::string& path) {
  if (!IsDirectory(path)) return Status::InvalidArgument(path + ": no such directory");
  auto r = Git({"--git-dir=" + path, "rev-parse", "--is-bare-repository"});
  if (!r.ok()) return r.status();
  if (!r->ok()) return Status::InvalidArgument(path + ": not a Git repository");
  if (Trim(r->out) != "true") {
    return Status::InvalidArgument(path + ": not a bare repository (server repositories are bare; "
                                          "for a working repository use --pre-commit)");
  }
  return Status::Ok();
}

// Git ignores REPO/hooks when core.hooksPath is set; say so instead of installing silently into
// a directory nothing reads.
void NoteHooksPath(const std::string& repo, InstallReport* report) {
  auto r = Git({"--git-dir=" + repo, "config", "--get", "core.hooksPath"});
  if (!r.ok() || !r->ok()) return;
  std::string value = Trim(r->out);
  if (value.empty()) return;
  report->notes.push_back(repo + ": core.hooksPath is set to " + value + ", so git runs hooks from there, not from " +
                          repo + "/hooks; the wrappers there run only once that setting is removed");
}

// Gitea's delegating hooks/<name> runs hooks/<name>.d/*; without it the wrappers never run.
void NoteGiteaDelegation(const std::string& repo, InstallReport* report) {
  for (const char* name : {"pre-receive", "update", "post-receive"}) {
    std::string hook = repo + "/hooks/" + name;
    auto text = ReadFile(hook, 1 << 20);
    bool delegates = text.ok() && (text->find("hookname}.d") != std::string::npos ||
                                   text->find(std::string(name) + ".d") != std::string::npos);
    if (!delegates) {
      report->notes.push_back(hook + " does not run the scripts in hooks/" + name +
                              ".d; Gitea writes that delegating hook when it creates a repository, and its "
                              "admin task \"Resynchronize pre-receive, update and post-receive hooks\" restores it");
    }
  }
}

// The site of layout: its wrappers (install/hook_locations.h) in hooks_dir.
Site LayoutSite(HookLayout layout, const std::string& root, const std::string& hooks_dir) {
  Site site{root, {}};
  for (const HookLocation& location : HookLocations(layout)) {
    site.slots.push_back(Slot{hooks_dir + "/" + location.rel, location.kind, ChainsExistingHooks(layout)});
  }
  return site;
}

// The site of a layout whose hooks directory is inside the repository.
Site RepositorySite(HookLayout layout, const std::string& repo) {
  return LayoutSite(layout, repo, repo + "/" + HooksDirInGitDir(layout));
}

// Every OWNER/NAME.git directory (wikis are OWNER/NAME.wiki.git) under a Gitea repository root.
Result<std::vector<std::string>> GiteaRepositories(const std::string& root) {
  std::vector<std::string> repos;
  std::error_code ec;
  for (fs::directory_iterator owner(root, ec), end; !ec && owner != end; owner.increment(ec)) {
    if (!owner->is_directory(ec) || owner->path().filename().string().starts_with(".")) continue;
    std::error_code inner;
    for (fs::directory_iterator repo(owner->path(), inner); !inner && repo != end; repo.increment(inner)) {
      std::string name = repo->path().filename().string();
      if (name.size() > 4 && name.ends_with(".git") && repo->is_directory(inner)) {
        repos.push_back(repo->path().string());
      }
    }
    if (inner) return Status::IOError(owner->path().string() + ": " + inner.message());
  }
  if (ec) return Status::IOError(root + ": " + ec.message());
  std::sort(repos.begin(), repos.end());
  return repos;
}

// The hooks directory git uses for the working repository at or above start, honouring
// core.hooksPath (a relative value is relative to the top of the work tree).
Result<std::string> WorkingHooksDir(const std::string& start, InstallReport* report) {
  auto top = Git({"rev-parse", "--show-toplevel"}, start);
  if (!top.ok()) return top.status();
  if (!top->ok() || Trim(top->out).empty()) {
    return Status::InvalidArgument((start.empty() ? std::string("the current directory") : start) +
                                   ": not inside a Git working tree");
  }
  std::string root = Trim(top->out);
  auto hooks = Git({"rev-parse", "--git-path", "hooks"}, root);
  if (!hooks.ok()) return hooks.status();
  std::string dir = Trim(hooks->out);
  if (!hooks->ok() || dir.empty()) return Status::Internal(root + ": git could not name the hooks directory");
  if (dir.front() != '/') dir = root + "/" + dir;
  dir = Normalize(dir);

  auto configured = Git({"config", "--get", "core.hooksPath"}, root);
  if (configured.ok() && configured->ok() && !Trim(configured->out).empty()) {
    report->notes.push_back(root + ": core.hooksPath is set to " + Trim(configured->out) + "; installed into " + dir +
                            " (every repository using that directory gets the hook)");
  }
  return dir;
}

// Resolves the request to the sites it covers and validates them. Gitea roots list every
// repository; directories named *.git that are not bare repositories are skipped with a note.
// Notes about whether installed wrappers will run are added only when installing.
Result<std::vector<Site>> ResolveSites(const InstallRequest& request, bool installing, InstallReport* report) {
  if (request.target != InstallTarget::kPreCommit && request.path.empty()) {
    return Status::InvalidArgument("a repository or directory path is required");
  }
  std::string path = request.path.empty() ? "" : Normalize(request.path);
  switch (request.target) {
    case InstallTarget::kBare: {
      PG_RETURN_IF_ERROR(CheckBareRepository(path));
      if (installing) NoteHooksPath(path, report);
      return std::vector<Site>{RepositorySite(HookLayout::kBare, path)};
    }
    case InstallTarget::kGitea: {
      PG_RETURN_IF_ERROR(CheckBareRepository(path));
      if (installing) {
        NoteHooksPath(path, report);
        NoteGiteaDelegation(path, report);
      }
      return std::vector<Site>{RepositorySite(HookLayout::kGitea, path)};
    }
    case InstallTarget::kGiteaRoot: {
      if (!IsDirectory(path)) return Status::InvalidArgument(path + ": no such directory");
      auto repos = GiteaRepositories(path);
      if (!repos.ok()) return repos.status();
      std::vector<Site> sites;
      for (const std::string& repo : *repos) {
        Status bare = CheckBareRepository(repo);
        if (!bare.ok()) {
          report->notes.push_back("skipped " + bare.message());
          continue;
        }
        if (installing) {
          NoteHooksPath(repo, report);
          NoteGiteaDelegation(repo, report);
        }
        sites.push_back(RepositorySite(HookLayout::kGitea, repo));
      }
      report->notes.push_back(path + ": " + std::to_string(sites.size()) + " repositories");
      return sites;
    }
    case InstallTarget::kGitLab: {
      PG_RETURN_IF_ERROR(CheckBareRepository(path));
      return std::vector<Site>{RepositorySite(HookLayout::kGitLab, path)};
    }
    case InstallTarget::kGitLabServerHooks: {
      if (!IsDirectory(path)) {
        return Status::InvalidArgument(path + ": no such directory (create the directory Gitaly's "
                                              "hooks.custom_hooks_dir names first)");
      }
      return std::vector<Site>{LayoutSite(HookLayout::kGitLabServerHooks, path, path)};
    }
    case InstallTarget::kPreCommit: {
      if (!path.empty() && !IsDirectory(path)) return Status::InvalidArgument(path + ": no such directory");
      auto hooks = WorkingHooksDir(path, report);
      if (!hooks.ok()) return hooks.status();
      return std::vector<Site>{LayoutSite(HookLayout::kPreCommit, Parent(*hooks), *hooks)};
    }
  }
  return Status::InvalidArgument("unknown install target");
}

Status CheckPaths(const InstallRequest& request, InstallReport* report) {
  if (request.binary.empty() || request.binary.front() != '/') {
    return Status::InvalidArgument("the pushgate binary path must be absolute: '" + request.binary + "'");
  }
  if (request.binary.find('\0') != std::string::npos || request.config.find('\0') != std::string::npos) {
    return Status::InvalidArgument("paths may not contain NUL bytes");
  }
  if (!request.config.empty() && request.config.front() != '/') {
    return Status::InvalidArgument("the config path must be absolute: '" + request.config + "'");
  }
  struct stat st;
  if (stat(request.binary.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || access(request.binary.c_str(), X_OK) != 0) {
    report->notes.push_back(request.binary + " is not an executable file; the hooks refuse every push until it is");
  }
  if (!request.config.empty() && access(request.config.c_str(), R_OK) != 0) {
    report->notes.push_back(request.config + " is not readable; the hooks refuse every push until it is");
  }
  return Status::Ok();
}

// Fails when a slot cannot take a wrapper, before anything in the site is changed.
Status CheckSlot(const Slot& slot) {
  auto state = Inspect(slot.path);
  if (!state.ok()) return state.status();
  if (*state == FileState::kDirectory) return Status::InvalidArgument(slot.path + " is a directory");
  if (*state != FileState::kForeign) return Status::Ok();
  if (!slot.chain) {
    return Status::InvalidArgument(slot.path + " exists and was not written by pushgate; move it away and install again");
  }
  std::string chained = slot.path + kChainedSuffix;
  if (PathExists(chained)) {
    return Status::InvalidArgument("both " + slot.path + " and " + chained +
                                   " exist and neither is pushgate's wrapper; keep one of them and install again");
  }
  return Status::Ok();
}

// Creates dir and its missing ancestors, leaving kCreatedMarker in each one it creates so that
// Uninstall removes exactly those.
Status CreateDirectories(const std::string& dir) {
  if (dir.empty() || dir == "/" || IsDirectory(dir)) return Status::Ok();
  PG_RETURN_IF_ERROR(CreateDirectories(Parent(dir)));
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Status::IOError(dir + ": " + strerror(errno));
  return WriteFileAtomic(dir + "/" + kCreatedMarker, "", 0644);
}

Status InstallSlot(const Slot& slot, const InstallRequest& request, InstallReport* report) {
  auto state = Inspect(slot.path);
  if (!state.ok()) return state.status();
  PG_RETURN_IF_ERROR(CreateDirectories(Parent(slot.path)));

  std::string chained = slot.path + kChainedSuffix;
  if (*state == FileState::kForeign) {
    // rename() keeps the hook's bytes, mode and symlink-ness for Uninstall to put back.
    if (rename(slot.path.c_str(), chained.c_str()) != 0) {
      return Status::IOError(slot.path + ": cannot move aside: " + strerror(errno));
    }
    report->notes.push_back("moved the existing hook " + slot.path + " to " + chained +
                            "; the wrapper runs it after pushgate");
  }

  WrapperSpec spec;
  spec.kind = slot.kind;
  spec.binary = request.binary;
  spec.config = request.config;
  if (slot.chain && PathExists(chained)) spec.chained = fs::path(chained).filename().string();
  std::string content = RenderWrapper(spec);

  if (*state == FileState::kManaged) {
    struct stat st;
    auto current = ReadFile(slot.path, 1 << 20);
    if (current.ok() && *current == content && stat(slot.path.c_str(), &st) == 0 && (st.st_mode & 07777) == 0755) {
      report->kept.push_back(slot.path);
      return Status::Ok();
    }
  }
  PG_RETURN_IF_ERROR(WriteFileAtomic(slot.path, content, 0755));
  report->written.push_back(slot.path);
  return Status::Ok();
}

// Removes dir and its ancestors strictly below root while Install created them (they carry
// kCreatedMarker) and nothing else is left in them. A directory that existed before Install,
// even an empty one, stays.
void RemoveEmptyDirectories(std::string dir, const std::string& root, InstallReport* report) {
  while (dir.size() > root.size() && dir.starts_with(root + "/")) {
    std::string marker = dir + "/" + kCreatedMarker;
    if (!PathExists(marker) || unlink(marker.c_str()) != 0) return;
    if (rmdir(dir.c_str()) != 0) {
      (void)WriteFileAtomic(marker, "", 0644);  // still in use: keep the record for a later uninstall
      return;
    }
    report->removed.push_back(dir + "/");
    dir = Parent(dir);
  }
}

Status UninstallSlot(const Slot& slot, const std::string& root, InstallReport* report) {
  auto state = Inspect(slot.path);
  if (!state.ok()) return state.status();
  std::string chained = slot.path + kChainedSuffix;
  bool has_chained = slot.chain && PathExists(chained);

  if (*state == FileState::kManaged) {
    if (unlink(slot.path.c_str()) != 0) return Status::IOError(slot.path + ": " + strerror(errno));
    report->removed.push_back(slot.path);
  } else if (*state != FileState::kMissing) {
    report->notes.push_back(slot.path + " was not written by pushgate; left in place");
    if (has_chained) report->notes.push_back(chained + " left in place: its original name is taken");
    return Status::Ok();
  }
  if (has_chained) {
    if (rename(chained.c_str(), slot.path.c_str()) != 0) {
      return Status::IOError(chained + ": cannot restore: " + strerror(errno));
    }
    report->restored.push_back(slot.path);
  } else if (*state == FileState::kManaged) {
    RemoveEmptyDirectories(Parent(slot.path), root, report);
  }
  return Status::Ok();
}

Status InstallSite(const Site& site, const InstallRequest& request, InstallReport* report) {
  for (const Slot& slot : site.slots) PG_RETURN_IF_ERROR(CheckSlot(slot));
  for (const Slot& slot : site.slots) PG_RETURN_IF_ERROR(InstallSlot(slot, request, report));
  return Status::Ok();
}

Status UninstallSite(const Site& site, InstallReport* report) {
  for (const Slot& slot : site.slots) PG_RETURN_IF_ERROR(UninstallSlot(slot, site.root, report));
  return Status::Ok();
}

// Applies op to every site. A Gitea root keeps going past a failing repository so one bad
// repository does not leave the others unprotected; the failures are then returned together.
template <typename Op>
Status ForEachSite(const InstallRequest& request, const std::vector<Site>& sites, Op op) {
  std::vector<std::string> failures;
  for (const Site& site : sites) {
    Status s = op(site);
    if (s.ok()) continue;
    if (request.target != InstallTarget::kGiteaRoot) return s;
    failures.push_back(s.message());
  }
  if (failures.empty()) return Status::Ok();
  std::string message = std::to_string(failures.size()) + " of " + std::to_string(sites.size()) +
                        " repositories were not changed: ";
  for (size_t i = 0; i < failures.size(); ++i) message += (i ? "; " : "") + failures[i];
  return Status::InvalidArgument(message);
}

}  // namespace

Result<InstallReport> Install(const InstallRequest& request) {
  InstallReport report;
  PG_RETURN_IF_ERROR(CheckPaths(request, &report));
  auto sites = ResolveSites(request, /*installing=*/true, &report);
  if (!sites.ok()) return sites.status();
  PG_RETURN_IF_ERROR(ForEachSite(request, *sites, [&](const Site& site) {
    return InstallSite(site, request, &report);
  }));
  if (request.target == InstallTarget::kGitLab) {
    report.notes.push_back("on Gitaly Cluster install on every node holding a replica (or use `gitaly hooks set`); "
                           "Geo does not replicate server hooks");
  }
  return report;
}

Result<InstallReport> Uninstall(const InstallRequest& request) {
  InstallReport report;
  auto sites = ResolveSites(request, /*installing=*/false, &report);
  if (!sites.ok()) return sites.status();
  PG_RETURN_IF_ERROR(ForEachSite(request, *sites, [&](const Site& site) { return UninstallSite(site, &report); }));
  if (report.removed.empty() && report.restored.empty()) {
    report.notes.push_back("pushgate is not installed" +
                           (request.path.empty() ? std::string() : " in " + Normalize(request.path)) +
                           "; nothing changed");
  }
  return report;
}

}  // namespace pushgate
