#include "hooks/overrides.h"

#include <set>

#include "signatures/allowed_signers.h"
#include "signatures/breakglass.h"
#include "signatures/breakglass_ledger.h"
#include "signatures/breakglass_token.h"

namespace pushgate {

namespace {

nlohmann::json Refusal(const std::string& id, const std::string& why) { return {{"token_id", id}, {"reason", why}}; }

// The rule ids that block one ref update.
std::vector<std::string> BlockingRules(const std::vector<Finding>& findings, const std::string& ref) {
  std::set<std::string> rules;
  for (const auto& f : findings) {
    if (f.blocking() && f.ref == ref) rules.insert(f.rule);
  }
  return {rules.begin(), rules.end()};
}

}  // namespace

std::vector<std::string> BreakglassPushOptions() { return PushOptionValues("breakglass"); }

OverrideOutcome ApplyBreakglass(const Config& config, const PushModel& model, const PushContext& push,
                                const std::vector<std::string>& tokens, int64_t now, std::vector<Finding>* findings) {
  OverrideOutcome out;
  if (tokens.empty()) return out;
  const auto& bg = config.breakglass;
  if (bg.approvers.empty()) {
    out.notes.push_back("break-glass tokens are not accepted on this server (no breakglass.approvers configured)");
    out.refused.push_back(Refusal("", "break-glass is not configured"));
    return out;
  }
  auto approvers = signatures::AllowedSigners::Load(bg.approvers);
  if (!approvers.ok()) {
    out.notes.push_back("break-glass approvers file cannot be read: " + approvers.status().message());
    out.refused.push_back(Refusal("", approvers.status().message()));
    return out;
  }
  auto merged = MergeBreakglassTokens(tokens);
  if (!merged.ok()) {
    out.notes.push_back("break-glass token refused: " + merged.status().message());
    out.refused.push_back(Refusal("", merged.status().message()));
    return out;
  }
  BreakglassPolicy policy{static_cast<int>(bg.required_approvals), bg.two_person, bg.max_ttl_seconds};
  for (const auto& token : *merged) {
    const std::string id = token.payload.id;
    auto verified = VerifyBreakglassToken(token, *approvers, now, BreakglassVerifyOptions{config.signers.ssh_fallback});
    if (!verified.ok()) {
      out.notes.push_back("break-glass token " + id + " refused: " + verified.status().message());
      out.refused.push_back(Refusal(id, verified.status().message()));
      continue;
    }
    const RefInput* ref = nullptr;
    for (const auto& r : model.refs) {
      if (r.update.ref == token.payload.ref) ref = &r;
    }
    Status check = Status::InvalidArgument("the token names " + token.payload.ref + ", which this push does not update");
    std::vector<std::string> rules;
    if (ref) {
      rules = BlockingRules(*findings, ref->update.ref);
      PushIdentity identity{push.repository, ref->update.ref, ref->update.old_oid, ref->update.new_oid, push.pusher,
                            push.pusher_email};
      check = CheckTokenForPush(*verified, identity, rules, policy, now);
    }
    if (check.ok() && rules.empty()) check = Status::InvalidArgument("nothing on " + token.payload.ref + " needs a waiver");
    if (check.ok()) {
      auto spent = IsTokenClaimed(bg.used_tokens, id);
      if (!spent.ok()) check = spent.status();
      else if (*spent) check = Status::InvalidArgument("break-glass token " + id + " was already used");
    }
    if (!check.ok()) {
      std::string why = check.message();
      for (const auto& p : verified->problems) why += "; " + p;
      out.notes.push_back("break-glass token " + id + " refused: " + why);
      out.refused.push_back(Refusal(id, why));
      continue;
    }
    for (auto& f : *findings) {
      if (f.blocking() && f.ref == ref->update.ref) f.waived = true;
    }
    out.used.push_back(BreakglassAuditJson(*verified));
    out.tokens.push_back({id, ref->update.ref,
                          TokenBinding(push.repository, ref->update.ref, ref->update.old_oid, ref->update.new_oid)});
    std::string who;
    for (const auto& a : verified->approvers()) who += (who.empty() ? "" : ", ") + a;
    out.notes.push_back("break-glass token " + id + " approved by " + who + " waives " + std::to_string(rules.size()) +
                        " rule(s) on " + ref->update.ref + ": " + token.payload.reason);
  }
  return out;
}

void CommitBreakglass(const Config& config, bool spend_on_landing, OverrideOutcome* outcome,
                      std::vector<Finding>* findings) {
  const std::string& ledger = config.breakglass.used_tokens;
  nlohmann::json kept = nlohmann::json::array();
  std::vector<WaivingToken> kept_tokens;
  for (size_t i = 0; i < outcome->tokens.size(); ++i) {
    const WaivingToken& t = outcome->tokens[i];
    Status recorded = spend_on_landing ? ReserveToken(ledger, t.id, t.binding) : ClaimToken(ledger, t.id);
    if (recorded.ok()) {
      kept.push_back(outcome->used[i]);
      kept_tokens.push_back(t);
      continue;
    }
    for (auto& f : *findings) {
      if (f.ref == t.ref) f.waived = false;
    }
    outcome->notes.push_back("break-glass token " + t.id + " refused: " + recorded.message());
    outcome->refused.push_back(Refusal(t.id, recorded.message()));
  }
  outcome->used = std::move(kept);
  outcome->tokens = std::move(kept_tokens);
}

}  // namespace pushgate
