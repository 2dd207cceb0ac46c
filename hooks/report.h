// Turns findings into what people read: the hook's stderr lines in the SPEC's format
//   pushgate: error: <rule-id>: <ref> <short-commit> <path>:<line>: <what> [<redacted secret>]
// each kind followed by one hint on how to fix it, the GitLab `GL-HOOK-ERR: ` copies, and the
// JSON and SARIF 2.1.0 documents of `pushgate scan`.
//
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hooks/finding.h"

namespace pushgate {

struct ReportOptions {
  bool gitlab = false;         // repeat error lines with the GL-HOOK-ERR: prefix
  bool breakglass_available = false;  // mention how to ask for an override
  bool color = false;          // colour the severity word (terminals only; never in hooks)
};

// One line for a finding, without a trailing newline; pushed strings in it go through VisibleText
// (base/visible_text.h), so control and bidi characters show as escapes.
std::string FormatFinding(const Finding& f, bool color = false);

// The fix hint for a rule id ("secret/..." share one).
std::string HintFor(const std::string& rule);

// The full text for the pusher: findings (errors first), one hint per rule kind, notes, and the
// closing verdict line.
std::string FormatHookReport(const std::vector<Finding>& findings, const std::vector<std::string>& notes,
                             bool refused, const ReportOptions& options);

// The project's own JSON document (schema in the README). JSON and SARIF keep pushed strings raw
// (no VisibleText): the encoder escapes every control character, and tools need the exact path.
// Dump them with ensure_ascii (a bidi control stays inert even in a terminal) and
// nlohmann::json::error_handler_t::replace, as a pushed path need not be UTF-8.
nlohmann::json FindingsToJson(const std::vector<Finding>& findings, const std::string& root);

// SARIF 2.1.0 with one run; `rules` are (id, description) pairs for tool.driver.rules.
nlohmann::json FindingsToSarif(const std::vector<Finding>& findings,
                               const std::vector<std::pair<std::string, std::string>>& rules,
                               const std::string& version);

}  // namespace pushgate
