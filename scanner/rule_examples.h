// Checks every rule's examples against the whole rule set: each `examples` entry must produce at
// least one finding of its rule, each `negative_examples` entry none. This is what
// `pushgate rules test` runs and what the test suite runs over the built-in rules.
//
// Thread-safety: pure function of its arguments.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "scanner/scanner.h"

namespace pushgate::scanner {

struct ExampleFailure {
  std::string rule_id;
  std::string example;  // the example text as written in the rule file
  bool negative = false;  // true: a negative example that produced a finding
  std::string problem;  // what went wrong, e.g. "no finding of this rule (found: other-rule)"
};

struct ExampleReport {
  size_t rules = 0;
  size_t examples_checked = 0;
  std::vector<ExampleFailure> failures;
};

// Runs all examples of scanner.rules() through scanner (built without allowlists, so only the
// rules and built-in filters decide). Fails only on a scan error.
Result<ExampleReport> CheckRuleExamples(const Scanner& scanner);

}  // namespace pushgate::scanner
