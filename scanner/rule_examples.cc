#include "scanner/rule_examples.h"

namespace pushgate::scanner {

namespace {

std::string RuleIds(const std::vector<SecretMatch>& matches) {
  std::string out;
  for (const auto& m : matches) {
    if (out.find(m.rule_id) != std::string::npos) continue;
    if (!out.empty()) out += ", ";
    out += m.rule_id;
  }
  return out.empty() ? "nothing" : out;
}

}  // namespace

Result<ExampleReport> CheckRuleExamples(const Scanner& scanner) {
  ExampleReport report;
  for (const Rule& rule : scanner.rules().rules) {
    ++report.rules;
    auto count_own = [&](const std::vector<SecretMatch>& matches) {
      size_t n = 0;
      for (const auto& m : matches) n += m.rule_id == rule.id;
      return n;
    };
    for (const auto& example : rule.examples) {
      ++report.examples_checked;
      std::vector<SecretMatch> matches;
      PG_RETURN_IF_ERROR(scanner.Scan(example, "", &matches));
      if (count_own(matches) == 0) {
        report.failures.push_back({rule.id, example, false, "no finding of this rule (found: " + RuleIds(matches) + ")"});
      }
    }
    for (const auto& example : rule.negative_examples) {
      ++report.examples_checked;
      std::vector<SecretMatch> matches;
      PG_RETURN_IF_ERROR(scanner.Scan(example, "", &matches));
      if (size_t n = count_own(matches); n > 0) {
        report.failures.push_back({rule.id, example, true,
                                   "negative example produced " + std::to_string(n) + " finding(s) of this rule"});
      }
    }
  }
  return report;
}

}  // namespace pushgate::scanner
