// Runs a child program with arguments (never through a shell), feeds it standard input, collects
// its output, and kills its whole process group when a deadline passes. Used for the ssh-keygen
// and gpg fallbacks, external policy commands, and by the tests to drive real git.
//
// Thread-safety: Run() may be called from several threads at once; it shares no state.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace pushgate {

struct ProcessOptions {
  std::string cwd;                                  // empty: inherit
  std::map<std::string, std::string> set_env;       // added to (or replacing) the environment
  std::vector<std::string> unset_env;               // removed from the environment
  bool clear_env = false;                           // start from an empty environment
  std::string stdin_data;                           // written to the child's stdin, then closed
  std::optional<std::chrono::milliseconds> timeout; // none: wait forever
  size_t max_output_bytes = 64 << 20;               // per stream; the rest is discarded
};

struct ProcessResult {
  int exit_code = -1;     // exit status, or -1 when killed by a signal
  int signal = 0;         // the signal that ended the child, if any
  bool timed_out = false; // the deadline passed and the child was killed
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0 && !timed_out; }
};

// Runs argv[0] (looked up on PATH) with argv. A non-zero exit is not an error Status: it is
// reported in ProcessResult. Status errors mean the child could not be started.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

}  // namespace pushgate
