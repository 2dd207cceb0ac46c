// Break-glass decisions: which trusted approvers signed a token (VerifyBreakglassToken), and
// whether a verified token authorises one particular ref update (CheckTokenForPush). The token
// format is in breakglass_token.h, key files and signing in breakglass_key.h, single use in
// breakglass_ledger.h.
//
// How the hook uses them, for each ref update that has findings:
//   1. collect every `breakglass=` push option and MergeBreakglassTokens() them;
//   2. VerifyBreakglassToken() each against the approvers file (OpenSSH allowed_signers format,
//      entries restricted to namespaces="pushgate-breakglass");
//   3. CheckTokenForPush() with the ref update, the rule ids that block it and the policy;
//   4. only then ClaimToken() its id in the used-token ledger (a replay is refused there);
//   5. audit the use (BreakglassAuditJson) or the refusal.
//
// Rules:
// - Each signature is an SSHSIG over the exact payload bytes. Ed25519 and sk-ssh-ed25519 keys
//   are verified natively; other SSH key types (RSA, ECDSA) through `ssh-keygen -Y verify` when
//   ssh_fallback is on, and are otherwise reported as unverifiable. A signature whose key is not
//   in the approvers file (or not valid at `now`, or not for this namespace), or that does not
//   verify, is reported in `problems` and not counted.
// - Approvers are counted by approvers-file principal (the comma-separated principals field of the
//   first entry that trusts the key): two keys of one principal count once.
// - Under two_person, signatures whose approver principal patterns (of any entry trusting the
//   key) match the pusher's name or e-mail, ignoring case, are not counted; the token is refused
//   when the remaining approvers are fewer than required (required_approvals below 1 counts as
//   1), and when the pusher is unknown.
// - The token must match the push exactly (repo, ref, old, new), be unexpired by server time,
//   not be issued more than kBreakglassClockSkewSeconds in the future, have a lifetime (exp - iat)
//   no longer than max_ttl_seconds, and name every blocking rule id (no wildcards).
//
// Thread-safety: the functions share no state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "signatures/allowed_signers.h"
#include "signatures/breakglass_token.h"

namespace pushgate {

// How far in the future a token's iat may lie, for clocks that disagree a little.
inline constexpr int64_t kBreakglassClockSkewSeconds = 300;

// One counted approver of a token.
struct BreakglassApproval {
  std::string principal;    // the principals field of the approvers-file line
  std::string fingerprint;  // SHA256:... of the signing key
  std::string key_type;     // e.g. ssh-ed25519, ssh-rsa
  // The approvers-file entries that trust the key (usually one); the first names the approver.
  std::vector<signatures::AllowedSigner> entries;
};

// A token whose signatures were checked.
struct VerifiedToken {
  BreakglassToken token;
  std::vector<BreakglassApproval> approvals;  // distinct approvers whose signatures verify
  std::vector<std::string> problems;          // signatures that were not counted, and why

  const BreakglassPayload& payload() const { return token.payload; }
  // The approver principals, in signature order.
  std::vector<std::string> approvers() const;
};

struct BreakglassVerifyOptions {
  bool ssh_fallback = true;                // verify non-Ed25519 keys with ssh-keygen -Y verify
  std::string ssh_keygen = "ssh-keygen";   // the program, looked up on PATH
};

// The ref update a token is checked against.
struct PushIdentity {
  std::string repo;     // repository identity, as written in tokens
  std::string ref;      // full ref name
  std::string old_oid;  // lowercase hex
  std::string new_oid;
  std::string pusher;        // the pushing user's name, matched against approver principals
  std::string pusher_email;  // optional: the pushing user's e-mail, matched the same way
};

// The `breakglass:` section of the configuration.
struct BreakglassPolicy {
  int required_approvals = 1;       // distinct approvers needed
  bool two_person = true;           // the pusher's own approval does not count
  int64_t max_ttl_seconds = 86400;  // longest accepted exp - iat
};

// Parses a token and checks its signatures against the approvers at time `now` (Unix seconds).
// Malformed tokens are InvalidArgument; signatures that do not count are listed in problems.
Result<VerifiedToken> VerifyBreakglassToken(const std::string& token, const signatures::AllowedSigners& approvers, int64_t now,
                                            const BreakglassVerifyOptions& options = {});

// The same for a token that is already decoded (for example after MergeBreakglassTokens).
Result<VerifiedToken> VerifyBreakglassToken(const BreakglassToken& token, const signatures::AllowedSigners& approvers,
                                            int64_t now, const BreakglassVerifyOptions& options = {});

// OK when the verified token authorises this ref update, waiving every rule id in
// rules_needing_waiver, under the policy at server time `now`. Otherwise InvalidArgument with a
// message that says precisely why (wrong repo, ref, old or new; expired; issued in the future;
// lifetime over the maximum; too few approvers, counting the pusher's own signature out under
// two_person; a rule not waived).
Status CheckTokenForPush(const VerifiedToken& token, const PushIdentity& push,
                         const std::vector<std::string>& rules_needing_waiver, const BreakglassPolicy& policy,
                         int64_t now);

// The audit log's "overrides" entry for a token: token_id, approvers, reason, rules, ref, old,
// new, exp, and problems when there are any.
nlohmann::json BreakglassAuditJson(const VerifiedToken& token);

}  // namespace pushgate
