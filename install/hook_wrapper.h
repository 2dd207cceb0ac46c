// Hook wrappers: the small POSIX sh scripts that `pushgate install` places where Git, Gitea or
// GitLab look for hooks. A wrapper runs the pushgate binary by absolute path (optionally with
// --config) and, when it replaced a hook that was already there, runs that hook with the same
// arguments and standard input:
//   - pre-receive, update, pre-commit: after pushgate accepts (a refusal by pushgate ends the run:
//     the push is refused either way, as in GitLab's hook chain);
//   - post-receive: after pushgate, whatever pushgate's exit status (post-receive cannot refuse a
//     push, and a failure of pushgate must not keep the hook that was there from running); the
//     wrapper exits with the chained hook's status.
// The update wrapper exports its own path in $PUSHGATE_WRAPPER (install/hook_locations.h). Every
// wrapper carries a marker line so that install and uninstall can tell pushgate's files from
// anyone else's.
//
// Thread-safety: the functions are pure or only read files; they share no state.
#pragma once

#include <string>

namespace pushgate {

// The hook a wrapper serves; it decides the pushgate subcommand and how input is passed on.
enum class HookKind { kPreReceive, kUpdate, kPostReceive, kPreCommit };

// Git's file name for the hook: "pre-receive", "update", "post-receive" or "pre-commit".
const char* HookName(HookKind kind);

struct WrapperSpec {
  HookKind kind = HookKind::kPreReceive;
  std::string binary;   // absolute path of the pushgate executable
  std::string config;   // absolute path passed with --config; empty: none
  std::string chained;  // file name, in the wrapper's own directory, of a hook run after pushgate;
                        // empty: nothing is chained
};

// The marker line every wrapper carries (without its version suffix).
inline constexpr const char* kWrapperMarker = "# pushgate-managed-hook v";

// Suffix appended to a hook's file name when a wrapper takes its place and chains it.
inline constexpr const char* kChainedSuffix = ".pushgate-chained";

// Quotes s for a POSIX shell as one word: '...' with embedded single quotes as '\''.
std::string ShellQuote(const std::string& s);

// The complete wrapper script for spec.
std::string RenderWrapper(const WrapperSpec& spec);

// True when path is a regular file (not a symlink) whose first lines carry the wrapper marker.
// Unreadable or missing files are not managed.
bool IsManagedHook(const std::string& path);

}  // namespace pushgate
