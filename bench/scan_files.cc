// File scan speed: `pushgate scan --no-git` over the Linux source tree checked out by
// shared/bench/make-linux-repo.sh, against ripgrep searching the same tree for the same patterns
// (every built-in rule's pattern, from `pushgate rules list --patterns`), in the same run.
//
//   scan_files OUT_DIR
#include <cstdio>
#include <string>

#include "bench/timing.h"

using namespace pushgate::bench;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: scan_files OUT_DIR\n");
    return 2;
  }
  const std::string tree = std::string(argv[1]) + "/work";
  const std::string patterns = std::string(argv[1]) + "/.patterns";
  const int runs = RunsFromEnv(5);
  if (Time(std::string(PUSHGATE_BINARY) + " rules list --patterns > " + patterns).exit_code != 0) {
    std::fprintf(stderr, "scan_files: cannot list the rule patterns\n");
    return 2;
  }
  if (Time("command -v rg >/dev/null").exit_code != 0) {
    std::fprintf(stderr, "scan_files: ripgrep (rg) is not installed: apt-get install ripgrep\n");
    return 2;
  }
  // ripgrep: no ignore files, hidden files too, skip .git like pushgate, binary files skipped.
  const std::string rg = "rg --no-ignore --hidden --glob '!.git' -c -f " + patterns + " " + tree + " >/dev/null";
  const std::string scan = std::string(PUSHGATE_BINARY) + " -q scan --no-git " + tree + " >/dev/null";
  Time(scan);
  Time(rg);
  double t_rg = MedianSeconds(rg, runs);
  double t_scan = MedianSeconds(scan, runs);
  std::printf("scan of the Linux source tree %s (%d runs, medians)\n", tree.c_str(), runs);
  std::printf("  ripgrep, same patterns       %8.2f s\n", t_rg);
  std::printf("  pushgate scan --no-git       %8.2f s   ratio %.2fx of ripgrep\n", t_scan, t_scan / t_rg);
  return 0;
}
