// Opens the repository a hook runs in so that the objects of the push being received are
// visible. Git keeps them in a quarantine directory until pre-receive accepts (GIT_QUARANTINE_PATH;
// GitLab passes only GIT_OBJECT_DIRECTORY). The repository is opened normally and the quarantine
// added as an alternate object directory, which keeps the repository's commit-graph in use
// (opening with GIT_REPOSITORY_OPEN_FROM_ENV would make the quarantine primary and lose it; see
// bench/hook_latency.cc for the measured difference). A second, quarantine-only object database
// answers "is this object new in this push?".
//
// Thread-safety: a Repository belongs to one thread (libgit2's rule). Open one per thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hooks/git.h"

namespace pushgate {

// Where the objects of a push live, read from the hook's environment.
struct ObjectEnvironment {
  std::string git_dir;                 // absolute
  std::string quarantine;              // empty when the push brought no quarantine (delete-only, update hook)
  std::vector<std::string> alternates; // GIT_ALTERNATE_OBJECT_DIRECTORIES, unquoted, minus the main objects dir

  // Reads GIT_DIR (default: the current directory), GIT_QUARANTINE_PATH, GIT_OBJECT_DIRECTORY and
  // GIT_ALTERNATE_OBJECT_DIRECTORIES.
  static ObjectEnvironment FromProcess();
};

// Splits GIT_ALTERNATE_OBJECT_DIRECTORIES the way git writes it: ':'-separated, entries that
// contain ':' or start with '"' are C-quoted.
std::vector<std::string> SplitAlternates(const std::string& value);

class Repository {
 public:
  // Opens git_dir (bare or not) with the quarantine and alternates of env made visible.
  static Result<Repository> OpenForHook(const ObjectEnvironment& env);
  // Opens with GIT_REPOSITORY_OPEN_FROM_ENV, as libgit2 does by itself (kept for comparison).
  static Result<Repository> OpenFromEnv();
  // Opens the repository containing path (a work tree or a git dir), for scans and pre-commit.
  static Result<Repository> Discover(const std::string& path);

  git_repository* get() const { return repo_.get(); }
  const std::string& git_dir() const { return git_dir_; }
  bool has_quarantine() const { return quarantine_odb_ != nullptr; }

  // True when the object came with this push: it is in the quarantine and was not already in the
  // repository (index-pack --fix-thin copies existing delta bases into the quarantine). Without a
  // quarantine every object is reported as new (the caller cannot tell, and scans rather than skips).
  bool IsNewObject(const git_oid& oid) const;

  // Calls fn for every object id in the quarantine (no order guaranteed).
  Status ForEachQuarantineObject(const std::function<void(const git_oid&)>& fn) const;

 private:
  GitRepository repo_;
  GitOdb quarantine_odb_;
  GitOdb main_odb_;  // the repository's own objects, without the quarantine
  std::string git_dir_;
};

}  // namespace pushgate
