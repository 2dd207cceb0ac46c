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
  // Put the server back as it was, objects included, so every run receives and checks new objects.
  const std::string reset = "git -C " + push + " update-ref refs/heads/main " + main_oid + " && git -C " + push +
                            " update-ref -d refs/heads/new-branch 2>/dev/null; git -C " + push +
                            " prune --expire=now && rm -f " + push + "/hooks/pre-receive " + push + "/hooks/update";
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

  // The same one-commit push into a repository with a one-commit history: the hook's cost should
  // not depend on the size of the history.
  {
    std::string tiny = out + "/.tiny";
    Time("rm -rf " + tiny + " && mkdir -p " + tiny + " && cd " + tiny +
         " && git init -q -b main w && cd w && cp -r " + work + "/arch/alpha/include . && git add -A && "
         "git -c user.name=b -c user.email=b@example.com commit -qm base && git clone -q --bare . ../server.git && "
         "for f in $(git ls-files | head -n 10); do echo '/* small push */' >> $f; done && "
         "git -c user.name=b -c user.email=b@example.com commit -qam small");
    std::string tiny_main = "$(git -C " + tiny + "/w rev-parse HEAD~1)";
    std::string tiny_reset = "git -C " + tiny + "/server.git update-ref refs/heads/main " + tiny_main + " && git -C " +
                             tiny + "/server.git prune --expire=now && rm -f " + tiny + "/server.git/hooks/pre-receive " +
                             tiny + "/server.git/hooks/update";
    std::string tiny_push = "git -C " + tiny + "/w push -q ../server.git main 2>/dev/null";
    double tiny_plain = MedianSeconds(tiny_push, runs, tiny_reset);
    double tiny_gated = MedianSeconds(tiny_push, runs,
                                      tiny_reset + " && " + PUSHGATE_BINARY + " -q install --bare " + tiny + "/server.git");
    std::printf("the same push into a one-commit repository (%d runs, medians)\n", runs);
    std::printf("  git push, no hook          %8.1f ms\n", tiny_plain * 1000);
    std::printf("  git push, pushgate hooks   %8.1f ms\n", tiny_gated * 1000);
    std::printf("  added by pushgate          %8.1f ms\n", (tiny_gated - tiny_plain) * 1000);
  }

  // Open strategies, inside a real pre-receive with a real quarantine: once as built, once with a
  // commit-graph libgit2 1.5.1 can read (generation v1), as a server that maintains one has.
  for (bool graph : {false, true}) {
    std::string times = out + "/.open_times";
    std::remove(times.c_str());
    std::string hook = push + "/hooks/pre-receive";
    if (graph) Time("git -C " + push + " -c commitGraph.generationVersion=1 commit-graph write --reachable 2>/dev/null");
    {
      std::ofstream h(hook);
      char self[4096];
      ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
      self[n > 0 ? n : 0] = 0;
      h << "#!/bin/sh\nexec '" << self << "' --measure-open '" << times << "'\n";
    }
    Time("chmod +x " + hook + " && " + do_push + "; git -C " + work + " push -q " + push +
         " small-push:refs/heads/new-branch 2>/dev/null");
    Time(reset + " && rm -f " + push + "/objects/info/commit-graph");
    std::ifstream in(times);
    std::vector<double> alt, env;
    double a, e;
    size_t ca, ce;
    while (in >> a >> e >> ca >> ce) alt.push_back(a), env.push_back(e);
    if (alt.empty()) continue;
    std::printf("open + push model inside pre-receive, %s (%zu samples, medians)\n",
                graph ? "with a v1 commit-graph" : "no commit-graph", alt.size());
    std::printf("  open + quarantine alternate  %8.2f ms\n", Median(alt) * 1000);
    std::printf("  GIT_REPOSITORY_OPEN_FROM_ENV %8.2f ms   ratio %.2fx\n", Median(env) * 1000,
                Median(env) / Median(alt));
  }
  return 0;
}
