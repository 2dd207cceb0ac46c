// The gate: runs one hook invocation from ref updates to decision. It loads the configuration,
// opens the repository with the push's quarantine, builds the push model, runs every configured
// check, applies break-glass overrides, writes the audit record and the report for the pusher,
// and returns the exit code (SPEC §2: 0 accepted, 1 refused, 2 configuration error, 3 internal
// error; in hook modes every non-zero code refuses unless `on_error: allow`).
//
// Thread-safety: one gate run per process.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "hooks/ref_update.h"

namespace pushgate {

enum class HookMode { kPreReceive, kUpdate };

struct GateOptions {
  std::string config_path;    // --config; empty: the lookup order of SPEC §3
  bool quiet = false;         // only errors
  bool verbose = false;       // timings and accepted-push notes
};

// Runs the gate over `input`: pre-receive stdin text, or for kUpdate the three update-hook
// arguments joined as "<old> <new> <ref>". Writes the report to err.
int RunGate(HookMode mode, const std::string& input, const GateOptions& options, std::ostream& err);

// Runs after the refs of a push moved (post-receive: the `old new ref` lines of the refs that
// really changed on stdin). Spends the break-glass tokens reserved for the refs that landed and
// records the outcome in the audit log. Never refuses (Git has already moved the refs); returns
// non-zero only to report that the record could not be written.
int RunPostReceive(const std::string& input, const GateOptions& options, std::ostream& err);

}  // namespace pushgate
