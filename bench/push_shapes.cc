// Push shapes: the time pushgate adds to pushes that exercise the push model and the content
// model, against the same push with no hook, medians of several runs in the same run:
//   - a one-commit push (ten edited files);
//   - a 50-commit push with merges (five topic branches of nine commits, each merged), where
//     every merge is diffed against each of its parents;
//   - the merge of a 200-commit topic branch whose commits and blobs the server already holds
//     (pushed earlier as their own branch): the gate judges by reachability, so all of it is
//     judged again for main; with an empty and with a warm verdict cache.
// With PUSHGATE_BENCH_BASELINE set to another pushgate binary (say the previous release), each
// figure is also measured with it, in the same run. Also prints the verdict cache's size per
// 100,000 blobs.
//
//   push_shapes REPO.git WORK_DIR     (REPO.git: e.g. history.git of make-history-repo.py)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/timing.h"
#include "scanner/verdict_cache.h"

using namespace pushgate::bench;

namespace {

struct Shape {
  std::string name;
  std::string branch;      // pushed to main
  bool keep_cache = true;  // false: the verdict cache is emptied before each run
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: push_shapes REPO.git WORK_DIR\n");
    return 2;
  }
  const std::string source = argv[1], dir = argv[2];
  const std::string server = dir + "/server.git", work = dir + "/work", cache = dir + "/cache";
  const int runs = RunsFromEnv(7);
  const char* baseline_env = std::getenv("PUSHGATE_BENCH_BASELINE");
  const std::string baseline = baseline_env ? baseline_env : "";
  const std::string git = "git -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false ";

  // The server: a bare clone; the work clone builds the pushed branches on top of main.
  Sample setup = Time(
      "set -e; rm -rf " + dir + " && mkdir -p " + dir + " && git clone -q --bare " + source + " " + server +
      " && git -C " + server + " config gc.auto 0 && git -C " + server +
      // pushed objects stay loose, so that `git prune` between runs takes them away again and every
      // run's push brings them anew (a pack kept from an earlier run would hide them from the
      // baseline binary, which judged only objects new to the store)
      " config receive.unpackLimit 1000000 && git clone -q " + server + " " + work + " && cd " + work +
      " && main=$(git rev-parse HEAD) && files=$(git ls-files '*.py' '*.h' | head -n 400)"
      // one commit, ten edited files
      " && git checkout -q -b one $main && for f in $(echo \"$files\" | head -n 10); do echo '# one' >> $f; done && " +
      git + "commit -qam one"
      // five topics of nine commits, each merged
      " && git checkout -q -b fifty $main && for t in 1 2 3 4 5; do git checkout -q -b topic$t fifty && "
      "for i in 1 2 3 4 5 6 7 8 9; do f=$(echo \"$files\" | sed -n \"$((t*20+i))p\"); echo \"# $t $i\" >> $f; " + git +
      "commit -qam \"topic $t $i\"; done && git checkout -q fifty && " + git +
      "merge -q --no-ff --no-edit topic$t; done"
      // a 200-commit topic, pushed as its own branch first, then merged
      " && git checkout -q -b long $main && for i in $(seq 1 200); do f=$(echo \"$files\" | sed -n \"$((i+100))p\"); "
      "echo \"# long $i\" >> $f; " + git + "commit -qam \"long $i\"; done"
      " && git push -q origin long:refs/heads/long"
      " && git checkout -q -b merged $main && echo '# merge base' >> $(echo \"$files\" | head -n 1) && " + git +
      "commit -qam base && " + git + "merge -q --no-ff --no-edit long"
      " && echo $main > " + dir + "/main_oid");
  if (setup.exit_code != 0) {
    std::fprintf(stderr, "push_shapes: setup failed (is %s a repository with a main branch?)\n", source.c_str());
    return 2;
  }
  const std::string main_oid = "$(cat " + dir + "/main_oid)";
  const std::string reset = "git -C " + server + " update-ref refs/heads/main " + main_oid + " && git -C " + server +
                            " prune --expire=now && rm -f " + server + "/hooks/pre-receive " + server +
                            "/hooks/update " + server + "/hooks/post-receive";
  auto install = [&](const std::string& binary) { return reset + " && " + binary + " -q install --bare " + server; };
  auto push = [&](const std::string& branch) {
    return "cd " + work + " && PUSHGATE_CACHE_DIR=" + cache + " git push -q origin " + branch + ":main 2>/dev/null";
  };
  const std::string empty_cache = "rm -f " + cache + "/verdicts-*.bin";

  std::printf("push shapes on %s (%d runs each, medians; baseline: the same push with no hook)\n", source.c_str(), runs);
  const Shape shapes[] = {{"one commit, ten files", "one", true},
                          {"50 commits with 5 merges", "fifty", true},
                          {"merge of a 200-commit topic already on the server, verdict cache empty", "merged", false},
                          {"merge of a 200-commit topic already on the server, verdict cache warm", "merged", true}};
  for (const auto& shape : shapes) {
    const std::string p = push(shape.branch);
    const std::string pre = shape.keep_cache ? "" : " && " + empty_cache;
    Time(reset + " && " + p);                    // warm the page cache
    Time(install(PUSHGATE_BINARY) + " && " + p);  // warm the rule database and the verdict cache
    double plain = MedianSeconds(p, runs, reset);
    int exit_code = 0;
    double gated = MedianSeconds(p, runs, install(PUSHGATE_BINARY) + pre, nullptr, &exit_code);
    std::printf("%s\n", shape.name.c_str());
    std::printf("  git push, no hook           %8.1f ms\n", plain * 1000);
    std::printf("  pushgate (this build)       %8.1f ms   adds %7.1f ms   %.2fx   (exit %d)\n", gated * 1000,
                (gated - plain) * 1000, gated / plain, exit_code);
    if (!baseline.empty()) {
      Time(install(baseline) + " && " + p);
      double before = MedianSeconds(p, runs, install(baseline), nullptr, &exit_code);
      std::printf("  pushgate (baseline binary)  %8.1f ms   adds %7.1f ms   %.2fx   (exit %d)\n", before * 1000,
                  (before - plain) * 1000, before / plain, exit_code);
    }
  }
  Time(reset);

  // A realistic sequence for the verdict cache's hit rate: a topic branch is pushed (its blobs
  // are new), then merged into main (the gate judges the topic's blobs again for main).
  {
    const std::string audit = dir + "/audit.jsonl";
    Time("rm -f " + audit + " && " + empty_cache + " && git -C " + server + " update-ref -d refs/heads/long && " + reset +
         " && printf 'version: 1\\naudit: { log: " + audit + " }\\n' > " + server + "/pushgate.yaml && " +
         PUSHGATE_BINARY + " -q install --bare " + server + " && cd " + work +
         " && PUSHGATE_CACHE_DIR=" + cache + " git push -q origin long:refs/heads/long 2>/dev/null && PUSHGATE_CACHE_DIR=" +
         cache + " git push -q origin merged:main 2>/dev/null");
    Sample hits = Time("grep -o '\"content\":{[^}]*}' " + audit + " > " + dir + "/content.txt");
    std::printf("verdict cache hit rate, topic pushed then merged (from the audit records):\n");
    std::FILE* f = std::fopen((dir + "/content.txt").c_str(), "r");
    char line[256];
    const char* step[] = {"  push of the 200-commit topic  ", "  merge of the topic into main  "};
    int i = 0;
    while (f && hits.exit_code == 0 && std::fgets(line, sizeof line, f) && i < 2) {
      unsigned long blobs = 0, cached = 0;
      std::sscanf(line, "\"content\":{\"blobs\":%lu,\"verdict_cache_hits\":%lu", &blobs, &cached);
      std::printf("%s %lu blobs, %lu known clean (%.0f%%)\n", step[i++], blobs, cached,
                  blobs ? 100.0 * cached / blobs : 0.0);
    }
    if (f) std::fclose(f);
    Time("rm -f " + server + "/pushgate.yaml && git -C " + server + " update-ref refs/heads/long $(git -C " + work +
         " rev-parse long) && " + reset);
  }

  std::vector<pushgate::scanner::VerdictCache::Id> ids(100000);
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t b = 0; b < 20; ++b) ids[i][b] = static_cast<unsigned char>((i * 2654435761u) >> (b % 4 * 8));
    ids[i][19] = static_cast<unsigned char>(i);
    ids[i][18] = static_cast<unsigned char>(i >> 8);
    ids[i][17] = static_cast<unsigned char>(i >> 16);
  }
  std::printf("verdict cache: %zu bytes per 100,000 clean blobs\n",
              pushgate::scanner::VerdictCache::Encode(std::string(32, '0'), ids).size());
  return 0;
}
