// Hook start-up: the time to load the rules and the Hyperscan database from the cache, against a
// cold compile of the same rules, measured in-process (median of several runs).
//
//   startup
#include <chrono>
#include <cstdio>

#include "base/files.h"
#include "bench/timing.h"
#include "scanner/rules.h"
#include "scanner/scanner.h"

using namespace pushgate;

namespace {
double BuildOnce(const std::string& cache_dir) {
  auto t0 = std::chrono::steady_clock::now();
  scanner::RuleLoadOptions o;
  o.check_patterns = false;
  o.cache_dir = cache_dir;
  auto rules = scanner::LoadRuleSet(o);
  auto s = scanner::Scanner::Create(std::move(*rules), {}, cache_dir);
  if (!s.ok()) std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main() {
  const int runs = bench::RunsFromEnv(7);
  std::vector<double> cold, warm;
  for (int i = 0; i < runs; ++i) {
    TempDir empty("pushgate-bench-cache");
    cold.push_back(BuildOnce(empty.path()));
  }
  TempDir cache("pushgate-bench-cache");
  BuildOnce(cache.path());
  for (int i = 0; i < runs; ++i) warm.push_back(BuildOnce(cache.path()));
  double c = bench::Median(cold), w = bench::Median(warm);
  std::printf("rules + Hyperscan database start-up (%d runs, medians)\n", runs);
  std::printf("  cold compile                 %8.2f ms\n", c * 1000);
  std::printf("  from the cache               %8.2f ms   %.0fx faster\n", w * 1000, c / w);
  return 0;
}
