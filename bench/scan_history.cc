// History scan speed: `pushgate scan --all` over the repository built by
// shared/bench/make-linux-repo.sh, against the floor of any full-history scan measured in the same
// run: `git cat-file --batch` reading every blob (the command in that script's comment). Also
// reports the scan's peak memory.
//
//   scan_history OUT_DIR
#include <cstdio>
#include <string>

#include "bench/timing.h"

using namespace pushgate::bench;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: scan_history OUT_DIR\n");
    return 2;
  }
  const std::string repo = std::string(argv[1]) + "/linux.git";
  const int runs = RunsFromEnv(5);
  const std::string floor = "git -C " + repo +
                            " cat-file --batch-all-objects --batch-check='%(objectname) %(objecttype)' --unordered"
                            " | awk '$2==\"blob\"{print $1}' | git -C " + repo + " cat-file --batch --unordered >/dev/null";
  const std::string scan = std::string(PUSHGATE_BINARY) + " -q scan --all " + repo + " >/dev/null";
  Time(scan);  // warm the page cache and the rule database cache
  Time(floor);
  long rss = 0;
  int exit_code = 0;
  double t_floor = MedianSeconds(floor, runs);
  double t_scan = MedianSeconds(scan, runs, "", &rss, &exit_code);
  std::printf("full-history scan of %s (%d runs, medians)\n", repo.c_str(), runs);
  std::printf("  git cat-file --batch floor   %8.2f s\n", t_floor);
  std::printf("  pushgate scan --all          %8.2f s   ratio %.2fx of the floor (exit %d: findings)\n", t_scan,
              t_scan / t_floor, exit_code);
  std::printf("  pushgate peak memory         %8.1f MiB\n", rss / 1024.0);
  return 0;
}
