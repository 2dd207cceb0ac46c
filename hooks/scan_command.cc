#include "hooks/scan_command.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "base/files.h"
#include "base/visible_text.h"
#include "config/config.h"
#include "hooks/git.h"
#include "hooks/report.h"
#include "hooks/scan.h"
#include "hooks/secret_scan.h"
#include "scanner/rule_examples.h"

namespace pushgate {

namespace {

// Prints "objects, bytes, rate" on one terminal line while a scan runs (a carriage return and
// no other control sequence); silent unless enabled.
class ProgressLine {
 public:
  ProgressLine(ScanProgress* p, bool enabled) : progress_(p) {
    if (enabled) thread_ = std::thread([this] { Loop(); });
  }
  ~ProgressLine() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
    Print();
    std::fputc('\n', stderr);
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return done_; })) Print();
  }
  void Print() {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double mib = static_cast<double>(progress_->bytes.load()) / (1 << 20);
    std::fprintf(stderr, "\rpushgate: %llu/%llu objects, %.1f MiB, %.1f MiB/s   ",
                 static_cast<unsigned long long>(progress_->objects.load()),
                 static_cast<unsigned long long>(progress_->total_objects.load()), mib, secs > 0 ? mib / secs : 0.0);
  }
  ScanProgress* progress_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

int Error(const Status& s) {
  std::cerr << "pushgate: error: " << VisibleText(s.message()) << "\n";
  return s.ExitCode();
}

bool IsRepository(const std::string& path) {
  InitLibgit2();
  GitBuf buf;
  return git_repository_discover(&buf.buf, path.c_str(), 0, nullptr) == 0;
}

std::vector<std::pair<std::string, std::string>> RuleDescriptions(const scanner::Scanner& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : s.rules().rules) out.emplace_back("secret/" + r.id, r.name);
  return out;
}

Status WriteOutput(const ScanCommand& cmd, const ScanResult& r, const scanner::Scanner& s, const CommandOptions& o) {
  std::string text;
  if (cmd.format == OutputFormat::kJson) {
    // Raw strings, escaped by the JSON encoder (every non-ASCII character as \uXXXX, so a bidi
    // control cannot act even when the file is shown on a terminal); bytes that are not UTF-8 become U+FFFD.
    text = FindingsToJson(r.findings, cmd.path).dump(2, ' ', true, nlohmann::json::error_handler_t::replace) + "\n";
  } else if (cmd.format == OutputFormat::kSarif) {
    text = FindingsToSarif(r.findings, RuleDescriptions(s), PUSHGATE_VERSION_STRING)
               .dump(2, ' ', true, nlohmann::json::error_handler_t::replace) +
           "\n";
  } else {
    // FormatFinding shows pushed strings through VisibleText.
    for (const auto& f : r.findings) text += FormatFinding(f, o.color && cmd.output.empty()) + "\n";
  }
  if (cmd.output.empty()) {
    std::cout << text;
    return Status::Ok();
  }
  return WriteFileAtomic(cmd.output, text);
}

Result<Config> LoadCommandConfig(const CommandOptions& o) {
  const char* git_dir = std::getenv("GIT_DIR");
  return LoadConfig(LocateConfig(o.config_path, git_dir ? git_dir : ""));
}

}  // namespace

int RunScan(const ScanCommand& cmd, const CommandOptions& options) {
  auto cfg = LoadCommandConfig(options);
  if (!cfg.ok()) return Error(cfg.status());
  auto scanner = MakeScanner(cfg->secrets);
  if (!scanner.ok()) return Error(scanner.status());
  // Writing a baseline reports every finding, including those the configured baseline knows.
  std::unique_ptr<scanner::Baseline> baseline;
  if (cmd.write_baseline.empty()) {
    auto b = LoadConfiguredBaseline(cfg->secrets);
    if (!b.ok()) return Error(b.status());
    baseline = std::move(*b);
  }
  ScanProgress progress;
  ScanOptions so;
  so.config = &*cfg;
  so.baseline = baseline.get();
  so.threads = cmd.threads;
  so.progress = &progress;
  ScanMode mode = cmd.mode;
  if (mode == ScanMode::kAuto) mode = IsRepository(cmd.path) ? ScanMode::kAll : ScanMode::kNoGit;
  auto start = std::chrono::steady_clock::now();
  Result<ScanResult> result = Status::Internal("no scan mode");
  {
    ProgressLine line(&progress, options.progress && (mode == ScanMode::kAll || mode == ScanMode::kNoGit));
    switch (mode) {
      case ScanMode::kNoGit: result = ScanFiles(cmd.path, **scanner, so); break;
      case ScanMode::kAll: result = ScanAllHistory(cmd.path, **scanner, so); break;
      case ScanMode::kRange: result = ScanRange(cmd.path, cmd.range, **scanner, so); break;
      case ScanMode::kStaged: result = ScanStaged(cmd.path, **scanner, so); break;
      case ScanMode::kAuto: break;
    }
  }
  if (!result.ok()) return Error(result.status());
  if (!cmd.write_baseline.empty()) {
    auto b = PathExists(cmd.write_baseline) ? scanner::Baseline::Load(cmd.write_baseline)
                                            : Result<scanner::Baseline>(scanner::Baseline::Create());
    if (!b.ok()) return Error(b.status());
    for (const auto& [rule, secret] : result->secrets) b->Add(rule, secret);
    Status s = b->Save(cmd.write_baseline);
    if (!s.ok()) return Error(s);
    if (!options.quiet) std::cerr << "pushgate: wrote " << b->size() << " fingerprints to " << cmd.write_baseline << "\n";
    return 0;
  }
  Status w = WriteOutput(cmd, *result, **scanner, options);
  if (!w.ok()) return Error(w);
  if (options.verbose || (!options.quiet && cmd.format == OutputFormat::kText)) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << "pushgate: " << result->findings.size() << " findings in " << result->objects << " objects ("
              << result->bytes / (1 << 20) << " MiB) in " << static_cast<int>(secs * 1000) << " ms\n";
  }
  return AnyBlocking(result->findings) ? 1 : 0;
}

int RunPreCommit(const CommandOptions& options) {
  ScanCommand cmd;
  cmd.mode = ScanMode::kStaged;
  auto cfg = LoadCommandConfig(options);
  if (!cfg.ok()) return Error(cfg.status());
  if (!cfg->secrets.enabled) return 0;
  auto scanner = MakeScanner(cfg->secrets);
  if (!scanner.ok()) return Error(scanner.status());
  auto baseline = LoadConfiguredBaseline(cfg->secrets);
  if (!baseline.ok()) return Error(baseline.status());
  ScanOptions so;
  so.config = &*cfg;
  so.baseline = baseline->get();
  auto result = ScanStaged(".", **scanner, so);
  if (!result.ok()) return Error(result.status());
  bool refused = AnyBlocking(result->findings);
  if (!result->findings.empty()) {
    std::string report = FormatHookReport(result->findings, {}, refused, {false, false, options.color});
    if (refused) report.replace(report.find("push refused"), 12, "commit refused");
    std::cerr << report;
  }
  return refused ? 1 : 0;
}

int RunRulesList(const CommandOptions& options, bool patterns_only) {
  auto cfg = LoadCommandConfig(options);
  if (!cfg.ok()) return Error(cfg.status());
  scanner::RuleLoadOptions lo;
  lo.extra_files = cfg->secrets.extra_rules;
  lo.disabled = cfg->secrets.disabled_rules;
  lo.check_patterns = false;
  auto rules = scanner::LoadRuleSet(lo);
  if (!rules.ok()) return Error(rules.status());
  for (const auto& r : rules->rules) {
    if (patterns_only) {
      std::cout << r.pattern << "\n";
    } else {
      std::cout << "secret/" << r.id << "\t" << r.confidence << "\t" << r.name << "\n";
    }
  }
  if (!options.quiet) std::cerr << "pushgate: " << rules->rules.size() << " rules\n";
  return 0;
}

int RunRulesTest(const std::vector<std::string>& files, const CommandOptions& options) {
  scanner::RuleLoadOptions lo;
  lo.builtin = files.empty();
  lo.extra_files = files;
  auto rules = scanner::LoadRuleSet(lo);
  if (!rules.ok()) return Error(rules.status());
  auto scanner = scanner::Scanner::Create(std::move(*rules), {}, "");
  if (!scanner.ok()) return Error(scanner.status());
  auto report = scanner::CheckRuleExamples(**scanner);
  if (!report.ok()) return Error(report.status());
  for (const auto& f : report->failures) {
    std::cout << "FAIL secret/" << f.rule_id << (f.negative ? " negative example" : " example") << ": " << f.problem
              << "\n";
  }
  if (!options.quiet || !report->failures.empty()) {
    std::cout << report->rules << " rules, " << report->examples_checked << " examples checked, "
              << report->failures.size() << " failed\n";
  }
  return report->failures.empty() ? 0 : 1;
}

}  // namespace pushgate
