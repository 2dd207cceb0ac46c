// Hook latency: the time pushgate adds to a one-commit push into the repository built by
// shared/bench/make-linux-repo.sh, against the same push with no hook, as medians of several
// runs measured in the same run. Also compares opening the repository the two ways a
// pre-receive hook can (plain open plus the quarantine as an alternate, and libgit2's
// GIT_REPOSITORY_OPEN_FROM_ENV), timed inside a real pre-receive hook with a real quarantine.
//
//   hook_latency OUT_DIR        (OUT_DIR as given to make-linux-repo.sh)
#include <cstdio>
#include <iostream>
#include <iterator>
#include <fstream>
#include <string>

#include "bench/timing.h"
#include "hooks/push_model.h"
#include "hooks/repository.h"

using namespace pushgate;
using namespace pushgate::bench;

namespace {

// Inside a pre-receive hook: time both ways to open, and the push model of the pushed refs.
int MeasureOpen(const std::string& out_file) {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  auto updates = ParseRefUpdates(input);
  if (!updates.ok()) return 1;
  std::FILE* f = std::fopen(out_file.c_str(), "a");
  for (int i = 0; i < 5; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto a = Repository::OpenForHook(ObjectEnvironment::FromProcess());
    auto ma = BuildPushModel(*a, *updates, {});
    auto t1 = std::chrono::steady_clock::now();
    auto b = Repository::OpenFromEnv();
    auto mb = BuildPushModel(*b, *updates, {});
    auto t2 = std::chrono::steady_clock::now();
    std::fprintf(f, "%f %f %zu %zu\n", std::chrono::duration<double>(t1 - t0).count(),
                 std::chrono::duration<double>(t2 - t1).count(), ma.ok() ? ma->commits.size() : 0,
                 mb.ok() ? mb->commits.size() : 0);
  }
  std::fclose(f);
  return 1;  // refuse: the measurement push must not land
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--measure-open") return MeasureOpen(argv[2]);
  if (argc != 2) {
    std::fprintf(stderr, "usage: hook_latency OUT_DIR\n");
    return 2;
  }
  const std::string out = argv[1];
  const std::string push = out + "/push.git", work = out + "/work";
  const int runs = RunsFromEnv(9);
  std::string main_oid;
  {
    Sample s = Time("git -C " + push + " rev-parse main > " + out + "/.main_oid");
    std::ifstream in(out + "/.main_oid");
    in >> main_oid;
    if (s.exit_code != 0 || main_oid.empty()) {
      std::fprintf(stderr, "hook_latency: %s has no main branch; run make-linux-repo.sh first\n", push.c_str());
      return 2;
    }
  }
  const std::string reset = "git -C " + push + " update-ref refs/heads/main " + main_oid +
                            " && rm -f " + push + "/hooks/pre-receive " + push + "/hooks/update";
  const std::string do_push = "git -C " + work + " push -q " + push + " small-push:main 2>/dev/null";
  const std::string install = reset + " && " + PUSHGATE_BINARY + " -q install --bare " + push;

  // Warm the page cache and the rule database cache once.
  Time(reset + " && " + do_push);
  Time(install + " && " + do_push);

  double plain = MedianSeconds(do_push, runs, reset);
  int exit_code = 0;
  double gated = MedianSeconds(do_push, runs, install, nullptr, &exit_code);
  Time(reset);
  std::printf("one-commit push to the Linux repository (%d runs, medians)\n", runs);
  std::printf("  git push, no hook          %8.1f ms\n", plain * 1000);
  std::printf("  git push, pushgate hooks   %8.1f ms   (exit %d)\n", gated * 1000, exit_code);
  std::printf("  added by pushgate          %8.1f ms   ratio %.2fx\n", (gated - plain) * 1000, gated / plain);

  // Open strategies, inside a real pre-receive with a real quarantine.
  std::string times = out + "/.open_times";
  std::remove(times.c_str());
  std::string hook = push + "/hooks/pre-receive";
  {
    std::ofstream h(hook);
    h << "#!/bin/sh\nexec '" << argv[0] << "' --measure-open '" << times << "'\n";
  }
  Time("chmod +x " + hook + " && " + do_push + "; " + do_push + " -f " + work + " small-push:refs/heads/new-branch");
  std::ifstream in(times);
  std::vector<double> alt, env;
  double a, e;
  size_t ca, ce;
  while (in >> a >> e >> ca >> ce) alt.push_back(a), env.push_back(e);
  Time(reset);
  if (!alt.empty()) {
    std::printf("opening the repository and building the push model inside pre-receive (%zu samples, medians)\n",
                alt.size());
    std::printf("  open + quarantine alternate  %8.2f ms\n", Median(alt) * 1000);
    std::printf("  GIT_REPOSITORY_OPEN_FROM_ENV %8.2f ms   ratio %.2fx\n", Median(env) * 1000, Median(env) / Median(alt));
  }
  return 0;
}
