// Break-glass overrides in the hook (SPEC §1.5): tokens sent with `git push -o breakglass=TOKEN`
// (several options for k-of-n approvals) waive the blocking findings of the one ref update they
// name, when enough trusted approvers signed them, they are unexpired by server time, they match
// the push exactly, and their id was never used before (claimed in the ledger under a lock).
// Every use and every refused attempt is returned for the audit log.
//
// Thread-safety: one call per hook run; the ledger lock serialises concurrent pushes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "hooks/finding.h"
#include "hooks/platform.h"
#include "hooks/push_model.h"

namespace pushgate {

struct OverrideOutcome {
  nlohmann::json used = nlohmann::json::array();     // tokens that waived findings
  nlohmann::json refused = nlohmann::json::array();  // tokens presented and refused, with why
  std::vector<std::string> notes;                    // for the pusher
};

// The `breakglass=` values among the push options (GIT_PUSH_OPTION_COUNT / GIT_PUSH_OPTION_<n>).
std::vector<std::string> BreakglassPushOptions();

// Applies the tokens to the blocking findings, marking the waived ones. `now` is server time.
OverrideOutcome ApplyBreakglass(const Config& config, const PushModel& model, const PushContext& push,
                                const std::vector<std::string>& tokens, int64_t now, std::vector<Finding>* findings);

}  // namespace pushgate
