// Installs and removes pushgate's hook wrappers (install/hook_wrapper.h) for every place a Git
// server or a developer's repository runs hooks from; install/hook_locations.h is the table of
// where each wrapper goes:
//
//   kBare               REPO/hooks/{pre-receive,update,post-receive}; a hook already there is moved
//                       to <hook>.pushgate-chained and run by the wrapper.
//   kGitea              REPO/hooks/{pre-receive,update,post-receive}.d/pushgate, run by Gitea's (and
//                       Forgejo's) delegating hooks beside its own `gitea` scripts.
//   kGiteaRoot          the kGitea layout in every OWNER/NAME.git under a Gitea repository root.
//   kGitLab             REPO/custom_hooks/{pre-receive,update,post-receive}.d/pushgate.
//   kGitLabServerHooks  DIR/{pre-receive,update,post-receive}.d/pushgate (Gitaly custom_hooks_dir).
//   kPreCommit          the pre-commit hook of a working repository, in core.hooksPath when set;
//                       an existing hook is chained as for kBare.
//
// Both operations are idempotent and reverse each other exactly: Uninstall removes only files that
// carry pushgate's marker, restores chained hooks byte for byte (they are renamed, never copied),
// and removes directories Install may have created once they are empty.
//
// Thread-safety: the functions share no state, but two runs against the same repository at the
// same time may interleave their file operations; run one at a time per repository.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace pushgate {

enum class InstallTarget { kBare, kGitea, kGiteaRoot, kGitLab, kGitLabServerHooks, kPreCommit };

struct InstallRequest {
  InstallTarget target = InstallTarget::kBare;
  std::string path;    // repository or directory; for kPreCommit, empty means discover from cwd
  std::string binary;  // absolute path of the pushgate executable the wrappers run
  std::string config;  // optional absolute config path the wrappers pass with --config
};

// What an operation did, for the command line to print. Paths are as resolved from the request.
struct InstallReport {
  std::vector<std::string> written;   // wrappers created or rewritten
  std::vector<std::string> kept;      // wrappers already exactly as they would be written
  std::vector<std::string> removed;   // wrappers and emptied directories removed by Uninstall
  std::vector<std::string> restored;  // foreign hooks put back in place by Uninstall
  std::vector<std::string> notes;     // things the administrator should know
};

// Writes the wrappers for request.target. Fails with InvalidArgument when the binary or config
// path is not absolute, the path is not the kind of repository or directory the target needs, or
// a file pushgate did not write stands where a wrapper must go (it is never overwritten).
Result<InstallReport> Install(const InstallRequest& request);

// Reverses Install for request.target; request.binary and request.config are ignored. Nothing
// installed is not an error: the report then carries a note and no changes.
Result<InstallReport> Uninstall(const InstallRequest& request);

}  // namespace pushgate
