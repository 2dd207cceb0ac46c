// File scan speed: `pushgate scan --no-git` over the Linux source tree checked out by
// shared/bench/make-linux-repo.sh, against ripgrep searching the same tree for the same patterns
// (every built-in rule's pattern, from `pushgate rules list --patterns`), in the same run.
//
//   scan_files OUT_DIR [SUBDIR]     (SUBDIR of the tree, default drivers/net: ripgrep needs
//                                   minutes per run for the whole tree with these patterns)
#include <cstdio>
#include <string>

#include "bench/timing.h"

using namespace pushgate::bench;

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: scan_files OUT_DIR [SUBDIR]\n");
    return 2;
  }
  const std::string tree = std::string(argv[1]) + "/work/" + (argc == 3 ? argv[2] : "drivers/net");
  const std::string patterns = std::string(argv[1]) + "/.patterns";
  const int runs = RunsFromEnv(3);
  // ripgrep joins its patterns into one expression: scope each rule's inline flags with a group,
  // and drop the group names (every rule names its secret group "secret").
  if (Time(std::string(PUSHGATE_BINARY) + " -q rules list --patterns | sed 's/(?P<secret>/(/g; s/^/(?:/; s/$/)/' > " +
           patterns).exit_code != 0) {
    std::fprintf(stderr, "scan_files: cannot list the rule patterns\n");
    return 2;
  }
  if (Time("command -v rg >/dev/null").exit_code != 0) {
    std::fprintf(stderr, "scan_files: ripgrep (rg) is not installed: apt-get install ripgrep\n");
    return 2;
  }
  // ripgrep: multiline (the rules may span lines), no ignore files, hidden files too, .git skipped
  // like pushgate does, binary files skipped by default.
  const std::string rg = "rg -U --no-ignore --hidden --glob '!.git' -c -f " + patterns + " " + tree + " >/dev/null";
  const std::string scan = std::string(PUSHGATE_BINARY) + " -q scan --no-git " + tree + " >/dev/null";
  Time(scan);
  if (Time(rg).exit_code > 1) {  // 0: matches, 1: none, 2: error
    std::fprintf(stderr, "scan_files: ripgrep failed on the patterns\n");
    return 2;
  }
  double t_rg = MedianSeconds(rg, runs);
  double t_scan = MedianSeconds(scan, runs);
  std::printf("scan of %s, %s (%d runs, medians)\n", tree.c_str(), "Linux 6.1 sources", runs);
  std::printf("  ripgrep, same patterns       %8.2f s\n", t_rg);
  std::printf("  pushgate scan --no-git       %8.2f s   ratio %.2fx of ripgrep\n", t_scan, t_scan / t_rg);
  return 0;
}
