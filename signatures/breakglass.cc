#include "signatures/breakglass.h"

#include <algorithm>
#include <chrono>

#include "base/files.h"
#include "base/subprocess.h"
#include "signatures/ssh_key.h"
#include "signatures/sshsig.h"

namespace pushgate {
namespace {

using signatures::AllowedSigner;
using signatures::AllowedSigners;
using signatures::SshSignature;

std::string JoinPrincipals(const AllowedSigner& entry) {
  std::string out;
  for (const auto& p : entry.principals) out += (out.empty() ? "" : ",") + p;
  return out;
}

// Verifies a non-Ed25519 SSHSIG with `ssh-keygen -Y verify` against a one-line allowed-signers
// file for exactly this key (the approvers file itself was already consulted for trust, validity
// and namespace).
Status VerifyWithSshKeygen(const SshSignature& sig, const std::string& blob, const std::string& message,
                           const std::string& ssh_keygen) {
  TempDir dir("pushgate-breakglass");
  if (dir.path().empty()) return Status::IOError("cannot create a temporary directory");
  const std::string identity = "pushgate-approver";
  PG_RETURN_IF_ERROR(WriteFileAtomic(dir.path() + "/allowed_signers",
                                     identity + " namespaces=\"" + kBreakglassNamespace + "\" " +
                                         sig.key.AuthorizedKeyLine() + "\n"));
  PG_RETURN_IF_ERROR(WriteFileAtomic(dir.path() + "/token.sig", signatures::ArmorSshsig(blob)));
  ProcessOptions options;
  options.stdin_data = message;
  options.timeout = std::chrono::seconds(30);
  auto run = RunProcess({ssh_keygen, "-Y", "verify", "-f", dir.path() + "/allowed_signers", "-I", identity, "-n",
                         kBreakglassNamespace, "-s", dir.path() + "/token.sig"},
                        options);
  if (!run.ok()) return run.status().Prefixed("cannot run " + ssh_keygen);
  if (run->timed_out) return Status::Timeout(ssh_keygen + " -Y verify did not finish within 30 seconds");
  if (!run->ok()) return Status::InvalidArgument("ssh-keygen -Y verify refused the signature");
  return Status::Ok();
}

std::string Short(const std::string& id) { return id.substr(0, 12); }

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::vector<std::string> VerifiedToken::approvers() const {
  std::vector<std::string> out;
  for (const auto& a : approvals) out.push_back(a.principal);
  return out;
}

Result<VerifiedToken> VerifyBreakglassToken(const std::string& text, const AllowedSigners& approvers, int64_t now,
                                            const BreakglassVerifyOptions& options) {
  auto token = ParseBreakglassToken(text);
  if (!token.ok()) return token.status();
  return VerifyBreakglassToken(*token, approvers, now, options);
}

Result<VerifiedToken> VerifyBreakglassToken(const BreakglassToken& token, const AllowedSigners& approvers,
                                            int64_t now, const BreakglassVerifyOptions& options) {
  VerifiedToken out;
  out.token = token;
  for (size_t i = 0; i < token.signatures.size(); ++i) {
    std::string label = "signature " + std::to_string(i + 1);
    auto sig = signatures::ParseSshsigBlob(token.signatures[i]);
    if (!sig.ok()) {
      out.problems.push_back(label + ": malformed: " + sig.status().message());
      continue;
    }
    label += " (" + sig->key.type + " " + sig->key.Fingerprint() + ")";
    if (sig->ns != kBreakglassNamespace) {
      out.problems.push_back(label + ": namespace is \"" + sig->ns + "\", not \"" + kBreakglassNamespace + "\"");
      continue;
    }
    std::vector<const AllowedSigner*> entries = approvers.Find(sig->key, kBreakglassNamespace, now);
    if (entries.empty()) {
      out.problems.push_back(label + ": key is not a break-glass approver (not in the approvers file, not valid now, "
                                     "or not allowed for namespace " + std::string(kBreakglassNamespace) + ")");
      continue;
    }
    std::string principal = JoinPrincipals(*entries.front());
    label += " by " + principal;
    Status verified = signatures::VerifySshsig(*sig, token.payload_bytes, kBreakglassNamespace);
    if (signatures::IsUnsupportedKeyType(verified)) {
      if (!options.ssh_fallback) {
        out.problems.push_back(label + ": " + sig->key.type +
                               " signatures are verified only through ssh-keygen, and the ssh fallback is off");
        continue;
      }
      verified = VerifyWithSshKeygen(*sig, token.signatures[i], token.payload_bytes, options.ssh_keygen);
    }
    if (!verified.ok()) {
      out.problems.push_back(label + ": does not verify: " + verified.message());
      continue;
    }
    // A person is every principal of their approvers-file entries: a second key of the same
    // person (another line sharing a principal, or the same key again) is not a second approver.
    std::vector<std::string> identities;
    for (const AllowedSigner* e : entries) {
      for (auto& p : signatures::LiteralPrincipals(*e)) identities.push_back(std::move(p));
    }
    bool counted = std::any_of(out.approvals.begin(), out.approvals.end(), [&](const BreakglassApproval& a) {
      if (a.fingerprint == sig->key.Fingerprint()) return true;
      for (const auto& e : a.entries) {
        if (signatures::SharesIdentity(signatures::LiteralPrincipals(e), identities)) return true;
      }
      return false;
    });
    if (counted) {
      out.problems.push_back(label + ": approver " + principal + " already signed; counted once");
      continue;
    }
    BreakglassApproval approval{principal, sig->key.Fingerprint(), sig->key.type, {}};
    for (const AllowedSigner* e : entries) approval.entries.push_back(*e);
    out.approvals.push_back(std::move(approval));
  }
  return out;
}

Status CheckTokenForPush(const VerifiedToken& verified, const PushIdentity& push,
                         const std::vector<std::string>& rules_needing_waiver, const BreakglassPolicy& policy,
                         int64_t now) {
  const BreakglassPayload& p = verified.payload();
  const std::string name = "break-glass token " + p.id;
  auto refuse = [&](const std::string& why) { return Status::InvalidArgument(name + ": " + why); };
  if (p.repo != push.repo) return refuse("made for repository " + p.repo + ", not " + push.repo);
  if (p.ref != push.ref) return refuse("made for " + p.ref + ", not " + push.ref);
  const std::string push_old = Lower(push.old_oid);
  const std::string push_new = Lower(push.new_oid);
  if (p.old_oid != push_old) {
    return refuse("made for an update from " + Short(p.old_oid) + ", but " + push.ref + " is at " + Short(push_old));
  }
  if (p.new_oid != push_new) {
    return refuse("made for an update to " + Short(p.new_oid) + ", but this push sets " + push.ref + " to " +
                  Short(push_new));
  }
  if (now >= p.exp) return refuse("expired " + std::to_string(now - p.exp) + " seconds ago (server time)");
  if (p.iat > now + kBreakglassClockSkewSeconds) {
    return refuse("issued " + std::to_string(p.iat - now) + " seconds in the future (server time)");
  }
  if (p.exp - p.iat > policy.max_ttl_seconds) {
    return refuse("lifetime of " + std::to_string(p.exp - p.iat) + " seconds exceeds the maximum of " +
                  std::to_string(policy.max_ttl_seconds));
  }

  std::vector<std::string> counted;
  std::vector<std::string> own;
  for (const auto& a : verified.approvals) {
    // Case is ignored: a forge may report "Alice" for the approver listed as "alice".
    bool is_pusher = std::any_of(a.entries.begin(), a.entries.end(), [&](const AllowedSigner& e) {
      return signatures::MatchPatternList(push.pusher, e.principals, /*fold_case=*/true) ||
             (!push.pusher_email.empty() && signatures::MatchPatternList(push.pusher_email, e.principals, true));
    });
    if (policy.two_person && !push.pusher.empty() && is_pusher) {
      own.push_back(a.principal);
    } else {
      counted.push_back(a.principal);
    }
  }
  if (policy.two_person && push.pusher.empty() && !verified.approvals.empty()) {
    return refuse("the pusher is unknown, so two-person control cannot be checked");
  }
  int required = std::max(policy.required_approvals, 1);
  if (static_cast<int>(counted.size()) < required) {
    std::string why = "needs " + std::to_string(required) + " distinct approver" + (required == 1 ? "" : "s") +
                      ", has " + std::to_string(counted.size());
    if (!own.empty()) why += "; " + push.pusher + " may not approve their own push (two-person control)";
    if (!verified.problems.empty()) why += "; not counted: " + verified.problems.front();
    if (verified.problems.size() > 1) why += " (and " + std::to_string(verified.problems.size() - 1) + " more)";
    return refuse(why);
  }
  for (const auto& rule : rules_needing_waiver) {
    if (std::find(p.rules.begin(), p.rules.end(), rule) == p.rules.end()) {
      return refuse("does not waive rule " + rule);
    }
  }
  return Status::Ok();
}

nlohmann::json BreakglassAuditJson(const VerifiedToken& token) {
  const BreakglassPayload& p = token.payload();
  nlohmann::json j = {{"token_id", p.id}, {"approvers", token.approvers()}, {"reason", p.reason},
                      {"rules", p.rules}, {"ref", p.ref},                   {"old", p.old_oid},
                      {"new", p.new_oid}, {"exp", p.exp}};
  if (!token.problems.empty()) j["problems"] = token.problems;
  return j;
}

}  // namespace pushgate
