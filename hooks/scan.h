// `pushgate scan` and `pushgate pre-commit`: secret scanning outside the push hooks, over
//   - files on disk (--no-git), skipping .git directories, symlinks not followed;
//   - the history of a repository: every blob and message reachable from any ref (--all), each
//     unique blob once, read in pack order on every core; or the commits of a range (--rev A..B),
//     judged like a push of that range;
//   - the staged changes (--staged, pre-commit): the index against HEAD, with a secret already in
//     HEAD's version of the same path reported as a warning, as in the hooks.
//
// Thread-safety: each call uses its own threads and repositories; the Scanner is shared read-only.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "hooks/finding.h"
#include "scanner/baseline.h"
#include "scanner/scanner.h"

namespace pushgate {

struct ScanResult {
  std::vector<Finding> findings;
  // (rule id, secret) for every finding, for `--write-baseline`; never printed.
  std::vector<std::pair<std::string, std::string>> secrets;
  uint64_t objects = 0;
  uint64_t bytes = 0;
};

// Counters a progress display reads while a scan runs.
struct ScanProgress {
  std::atomic<uint64_t> objects{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> total_objects{0};
};

struct ScanOptions {
  const Config* config = nullptr;       // limits and secrets settings; required
  const scanner::Baseline* baseline = nullptr;  // fingerprints to skip
  int threads = 0;                      // 0: one per core
  ScanProgress* progress = nullptr;
};

// Scans a file or a directory tree on disk.
Result<ScanResult> ScanFiles(const std::string& root, const scanner::Scanner& scanner, const ScanOptions& options);

// Scans every blob and commit/tag message reachable from any ref of the repository at repo_path.
Result<ScanResult> ScanAllHistory(const std::string& repo_path, const scanner::Scanner& scanner,
                                  const ScanOptions& options);

// Scans the commits of range ("A..B", or a single revision meaning its whole ancestry).
Result<ScanResult> ScanRange(const std::string& repo_path, const std::string& range, const scanner::Scanner& scanner,
                             const ScanOptions& options);

// Scans the staged changes of the working repository containing path.
Result<ScanResult> ScanStaged(const std::string& path, const scanner::Scanner& scanner, const ScanOptions& options);

}  // namespace pushgate
