// Shared by the benchmark programs: run a shell command, time it, take medians, and read the
// peak resident memory of the children. Figures are medians of several runs, always printed
// next to a baseline measured in the same run, because the machines are shared and noisy.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace pushgate::bench {

struct Sample {
  double seconds = 0;
  long max_rss_kib = 0;  // peak resident set of the largest process of the command
  int exit_code = 0;
};

// Runs `bash -c script`, returning wall time and peak RSS of the child.
inline Sample Time(const std::string& script) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/bash", "bash", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  Sample s;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // wait4 reports this child and the descendants it waited for: not earlier commands' children.
  s.max_rss_kib = ru.ru_maxrss;
  return s;
}

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Runs a script `runs` times (after `setup` each time, untimed) and returns the median seconds.
inline double MedianSeconds(const std::string& script, int runs, const std::string& setup = "",
                            long* max_rss_kib = nullptr, int* last_exit = nullptr) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    if (!setup.empty()) Time(setup);
    Sample s = Time(script);
    t.push_back(s.seconds);
    if (max_rss_kib) *max_rss_kib = std::max(*max_rss_kib, s.max_rss_kib);
    if (last_exit) *last_exit = s.exit_code;
  }
  return Median(t);
}

inline int RunsFromEnv(int fallback) {
  const char* r = std::getenv("PUSHGATE_BENCH_RUNS");
  return r ? std::max(1, std::atoi(r)) : fallback;
}

}  // namespace pushgate::bench
