// The commands that scan outside a push: `pushgate scan`, `pushgate pre-commit`, and
// `pushgate rules list|test`. They load the configuration and the rules, run the scan, print in
// the requested format, and return the SPEC's exit code.
//
// Thread-safety: one command per process.
#pragma once

#include <string>
#include <vector>

namespace pushgate {

enum class ScanMode { kAuto, kNoGit, kAll, kRange, kStaged };
enum class OutputFormat { kText, kJson, kSarif };

struct CommandOptions {
  std::string config_path;   // --config
  bool quiet = false;
  bool verbose = false;
  bool color = false;        // resolved from --color and NO_COLOR
  bool progress = false;     // stderr is a terminal and the caller allows progress
};

struct ScanCommand {
  std::string path = ".";
  ScanMode mode = ScanMode::kAuto;
  std::string range;
  OutputFormat format = OutputFormat::kText;
  std::string output;          // file; empty: stdout
  std::string write_baseline;  // file; empty: none
  int threads = 0;
};

int RunScan(const ScanCommand& cmd, const CommandOptions& options);
int RunPreCommit(const CommandOptions& options);
// Lists the rules in use; with patterns_only, one pattern per line (for other tools, such as the
// ripgrep comparison in bench/scan_files.cc).
int RunRulesList(const CommandOptions& options, bool patterns_only = false);
// Checks the examples of the built-in rules plus files (when given, only the rules of files).
int RunRulesTest(const std::vector<std::string>& files, const CommandOptions& options);

}  // namespace pushgate
