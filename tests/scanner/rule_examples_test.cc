#include "scanner/rule_examples.h"

#include <catch2/catch.hpp>

namespace pushgate::scanner {
namespace {

const std::string kFixtures = std::string(PUSHGATE_SOURCE_DIR) + "/tests/scanner/fixtures/";

std::unique_ptr<Scanner> Build(const RuleLoadOptions& opts) {
  auto rules = LoadRuleSet(opts);
  INFO(rules.status().ToString());
  REQUIRE(rules.ok());
  auto scanner = Scanner::Create(std::move(*rules), {}, "");
  INFO(scanner.status().ToString());
  REQUIRE(scanner.ok());
  return std::move(*scanner);
}

TEST_CASE("every built-in rule's examples and negative examples hold") {
  auto scanner = Build({});
  auto report = CheckRuleExamples(*scanner);
  REQUIRE(report.ok());
  CHECK(report->rules == scanner->rules().rules.size());
  for (const auto& f : report->failures) {
    FAIL_CHECK("rule " << f.rule_id << (f.negative ? " negative example " : " example ") << "'" << f.example
                       << "': " << f.problem);
  }
  WARN(report->rules << " built-in rules, " << report->examples_checked << " examples checked");
}

TEST_CASE("every built-in rule has at least one example") {
  auto scanner = Build({});
  for (const auto& rule : scanner->rules().rules) {
    INFO("rule " << rule.id << " (" << rule.source << ")");
    CHECK_FALSE(rule.examples.empty());
  }
}

TEST_CASE("failing examples are reported with the rule, the example and the problem") {
  RuleLoadOptions opts;
  opts.builtin = false;
  opts.extra_files = {kFixtures + "failing-examples.yaml"};
  auto scanner = Build(opts);
  auto report = CheckRuleExamples(*scanner);
  REQUIRE(report.ok());
  CHECK(report->examples_checked == 3);
  REQUIRE(report->failures.size() == 2);
  CHECK(report->failures[0].rule_id == "strict-token");
  CHECK(report->failures[0].example == "st_tooshort");
  CHECK_FALSE(report->failures[0].negative);
  CHECK_THAT(report->failures[0].problem, Catch::Contains("no finding"));
  CHECK(report->failures[1].example == "st_q7w2e9r4t1y8u3i6");
  CHECK(report->failures[1].negative);
}

}  // namespace
}  // namespace pushgate::scanner
