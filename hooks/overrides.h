// Break-glass overrides in the hook (SPEC §1.5): tokens sent with `git push -o breakglass=TOKEN`
// (several options for k-of-n approvals) waive the blocking findings of the one ref update they
// name, when enough trusted approvers signed them, they are unexpired by server time, they match
// the push exactly, and their id was never spent before. A token is recorded in the ledger only
// once the whole push is accepted (CommitBreakglass): reserved then, and spent when post-receive
// sees its ref land, so a push refused for another ref or by a later hook does not burn it.
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

// A token that waives findings of one ref update, to be recorded in the ledger.
struct WaivingToken {
  std::string id;
  std::string ref;
  std::string binding;  // TokenBinding of the push it names
};

struct OverrideOutcome {
  std::vector<WaivingToken> tokens;                  // parallel to `used`
  nlohmann::json used = nlohmann::json::array();     // tokens that waived findings
  nlohmann::json refused = nlohmann::json::array();  // tokens presented and refused, with why
  std::vector<std::string> notes;                    // for the pusher
};

// The `breakglass=` values among the push options (GIT_PUSH_OPTION_COUNT / GIT_PUSH_OPTION_<n>).
std::vector<std::string> BreakglassPushOptions();

// Applies the tokens to the blocking findings, marking the waived ones. `now` is server time.
OverrideOutcome ApplyBreakglass(const Config& config, const PushModel& model, const PushContext& push,
                                const std::vector<std::string>& tokens, int64_t now, std::vector<Finding>* findings);

// Records the waiving tokens of a push the gate accepts: reserved for their push when
// `spend_on_landing` (post-receive spends them), else spent at once. A token that cannot be
// recorded (spent meanwhile by a concurrent push, or an unwritable ledger) waives nothing: its
// ref's findings block again and it moves to `refused`.
void CommitBreakglass(const Config& config, bool spend_on_landing, OverrideOutcome* outcome,
                      std::vector<Finding>* findings);

}  // namespace pushgate
