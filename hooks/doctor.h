// `pushgate doctor [REPO]`: finds what makes the gate work, or silently not work, in one
// repository, and says how to fix each problem. It checks that libgit2 can read the repository
// (object format, extensions, a commit-graph libgit2 1.5.1 would drop), that git will run
// pushgate's wrappers (core.hooksPath, Gitea's delegating hooks, executable bits, the binary each
// wrapper runs, a missing post-receive wrapper), that the configuration the hook would load is valid
// and every file it names loads (hooks/referenced_files.h), that break-glass tokens can
// reach the hook (receive.advertisePushOptions), and that the rule database cache, the audit log
// and the break-glass ledger are writable.
//
// Doctor sees the machine as the user running it: HOME, $PUSHGATE_CONFIG, $PUSHGATE_CACHE_DIR and
// the global git configuration are this process's, which may differ from the Git server's. The
// only thing it writes is the rule database cache (it compiles the rules once so the next hook
// loads them); the repository is never modified.
//
// Thread-safety: the functions share no state; RunDoctor runs git and opens the repository with
// libgit2 on the calling thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace pushgate {

// One finding of `pushgate doctor`.
struct DoctorCheck {
  enum class Level { kOk, kWarning, kError };
  std::string name;    // what was checked, e.g. "core.hooksPath", "wrapper hooks/pre-receive"
  Level level = Level::kOk;
  std::string detail;  // what was found
  std::string fix;     // how to fix it; empty when nothing needs doing
};

// "ok", "warning" or "error".
const char* DoctorLevelName(DoctorCheck::Level level);

// Runs every check on the repository at repo_path (a bare repository, a git dir or a work tree).
// config_path is --config (empty: the config the installed wrapper passes, else the lookup order of
// SPEC §3). Fails only when repo_path is not a Git repository at all.
Result<std::vector<DoctorCheck>> RunDoctor(const std::string& repo_path, const std::string& config_path);

// Runs the checks and prints one line per check to stdout ("ok|warning|error  <name>: <detail>",
// then "    fix: <fix>"); quiet prints only warnings and errors. Returns 0 when no check is an
// error, 1 when one is, 2 when repo is not a repository.
int RunDoctorCommand(const std::string& repo, const std::string& config_path, bool quiet);

// The command a hook wrapper (install/hook_wrapper.h) runs: its binary and its --config, if any.
struct WrapperCommand {
  std::string binary;
  std::string config;
};

// Reads the command line out of a wrapper script: the first line after the marker that starts with
// a single-quoted word, optionally after `exec `. Corruption when there is none or its quoting is
// broken.
Result<WrapperCommand> ParseWrapperCommand(const std::string& script);

// The header and chunk table of a commit-graph file (Git's format: "CGPH", version, hash version,
// chunk count, base graph count, then (chunk count + 1) entries of a 4-byte id and an 8-byte
// big-endian offset, the last one with id 0).
struct CommitGraphInfo {
  int version = 0;
  int hash_version = 0;  // 1: SHA-1, 2: SHA-256
  int base_graphs = 0;
  std::vector<std::string> chunks;  // ids in file order, e.g. "OIDF", "GDA2"
};

// Reads the chunk table of the commit-graph file at path. Corruption for a file that is too short,
// has the wrong signature, or whose offsets are not increasing within the file.
Result<CommitGraphInfo> ReadCommitGraphInfo(const std::string& path);

}  // namespace pushgate
