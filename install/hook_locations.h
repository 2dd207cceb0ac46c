// Where pushgate's hook wrappers live, for every install layout: the one table the gate, the
// installer and doctor read.
//
//   layout              directory the wrappers go in     wrappers in it
//   kBare               GIT_DIR/hooks                    pre-receive, update, post-receive
//   kGitea              GIT_DIR/hooks                    pre-receive.d/pushgate, update.d/pushgate,
//                                                        post-receive.d/pushgate
//   kGitLab             GIT_DIR/custom_hooks             (as kGitea)
//   kGitLabServerHooks  Gitaly's custom_hooks_dir        (as kGitea)
//   kPreCommit          GIT_DIR/hooks or core.hooksPath  pre-commit
//
// A wrapper in a layout that chains (kBare, kPreCommit) takes the place of a hook already there and
// runs it; in the delegated layouts (*.d/) a foreign file at pushgate's name is never touched.
//
// Thread-safety: the table is immutable; the functions only read files and the environment.
#pragma once

#include <string>
#include <vector>

#include "install/hook_wrapper.h"

namespace pushgate {

enum class HookLayout { kBare, kGitea, kGitLab, kGitLabServerHooks, kPreCommit };

// Set by every update wrapper to the path it was run by ($0), so that the update hook can find the
// pre-receive wrapper of the same layout, which git_dir alone does not locate (kGitLabServerHooks).
inline constexpr const char* kWrapperPathVariable = "PUSHGATE_WRAPPER";

// One wrapper of a layout.
struct HookLocation {
  HookKind kind;
  std::string rel;  // path relative to the layout's hooks directory, e.g. "update.d/pushgate"
};

// Every layout, in the order of the table above.
const std::vector<HookLayout>& AllHookLayouts();

// The wrappers of layout, in the order install writes them.
const std::vector<HookLocation>& HookLocations(HookLayout layout);

// The wrapper of `kind` in layout, relative to the layout's hooks directory; empty when the layout
// has none (a server layout has no pre-commit wrapper).
std::string HookRel(HookLayout layout, HookKind kind);

// The layout's hooks directory relative to a repository's git directory ("hooks",
// "custom_hooks"); for kPreCommit git's default, which core.hooksPath replaces; empty for
// kGitLabServerHooks, whose directory Gitaly's configuration names.
std::string HooksDirInGitDir(HookLayout layout);

// The `pushgate install` option that writes layout, e.g. "--gitlab-server-hooks".
const char* InstallOption(HookLayout layout);

// True when a hook already at a wrapper's place is chained (moved aside and run by the wrapper);
// false when it blocks the install.
bool ChainsExistingHooks(HookLayout layout);

// True when pushgate's own pre-receive runs for this push, so it has judged every ref already and
// the update hook need not repeat the work. The update wrapper's path ($PUSHGATE_WRAPPER) decides:
// the pre-receive wrapper of the same layout beside it must be pushgate's and executable (git and
// the platforms skip hooks that are not). After an administrator deletes it, or when the variable
// names no known wrapper place, the answer is false and update judges. Without the variable (update
// not run through a wrapper), pushgate's pre-receive under git_dir in the kBare, kGitea or kGitLab
// layout counts.
bool PreReceiveInstalled(const std::string& git_dir);

// True when pushgate's executable post-receive runs after a push to the repository at git_dir
// lands, to spend the break-glass tokens reserved at pre-receive. Only the layouts under git_dir
// are seen: under a server-wide directory the answer is false and tokens are spent at once when
// the push is accepted (never left reusable).
bool PostReceiveInstalled(const std::string& git_dir);

}  // namespace pushgate
