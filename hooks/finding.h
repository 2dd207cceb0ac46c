// A Finding is one reason to refuse (or warn about) a push or a scanned file, produced by every
// check in the same shape: rule id, where (ref, commit, path, line), what, and the redacted secret
// when there is one. The rule ids are the contract of SPEC §3 ("secret/<id>", "protected-ref",
// "forbidden-path", ...); break-glass tokens waive findings by these ids.
//
// Thread-safety: plain values.
#pragma once

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

}  // namespace pushgate
