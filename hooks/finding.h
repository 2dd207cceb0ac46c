// A Finding is one reason to refuse (or warn about) a push or a scanned file, produced by every
// check in the same shape: rule id, where (ref, commit, path, line), what, and the redacted secret
// when there is one. The rule ids are the contract of SPEC §3 ("secret/<id>", "protected-ref",
// "forbidden-path", ...); break-glass tokens waive findings by these ids.
//
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pushgate {

enum class Severity { kError, kWarning };

struct Finding {
  std::string rule;
  Severity severity = Severity::kError;
  std::string ref;
  std::string commit;     // full hex id; empty when not tied to a commit
  std::string path;
  int line = 0;           // 1-based; 0 when not tied to a line
  std::string message;
  std::string redacted;   // redacted secret, for secret findings
  bool waived = false;    // set when a break-glass token waives it

  bool blocking() const { return severity == Severity::kError && !waived; }
};

// True when any finding still blocks.
bool AnyBlocking(const std::vector<Finding>& findings);

// Most findings a push reports in full.
inline constexpr size_t kMaxListedFindings = 1000;

// Keeps the first `max` findings in full and turns the rest into one finding per rule, ref and
// severity that says how many more there were, so that the report, the audit record and the
// memory they take stay bounded whatever a push holds. The decision does not change: a summary of
// blocking findings blocks, and a break-glass token that names the rule waives it.
void BoundFindings(std::vector<Finding>* findings, size_t max = kMaxListedFindings);

}  // namespace pushgate
