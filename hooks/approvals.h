// Co-approvals for CODEOWNERS sections that need more than one approver (`[Section][N]`): an owner
// approves one exact ref update by signing it with their SSH key in the namespace
// `pushgate-approval` (`pushgate approve`), and the pusher sends the result with
// `git push -o approve=TOKEN` (one option per approver). The hook counts an approval when its
// signature verifies, its key is trusted in `signers.allowed_signers` for that namespace (or for
// all namespaces), it names this repository, ref and old and new ids, and it has not expired. The
// approver's identities are the principals of the trusting allowed_signers entry.
//
// Token: `<expires unix seconds>.<unpadded base64url of the binary SSHSIG>`; the signed message is
//   pushgate-approval v1\nrepository R\nref F\nold O\nnew N\nexpires E\n
//
// Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "signatures/allowed_signers.h"

namespace pushgate {

inline constexpr const char* kApprovalNamespace = "pushgate-approval";

struct ApprovalTarget {
  std::string repository, ref, old_oid, new_oid;
};

// The exact bytes an approver signs.
std::string ApprovalMessage(const ApprovalTarget& target, int64_t expires);

// The `approve=` values among the push options.
std::vector<std::string> ApprovalPushOptions();

struct ApprovalCheck {
  std::vector<std::vector<std::string>> approvers;  // per counted approval: the approver's identities
  std::vector<std::string> problems;                // approvals not counted, and why
};

// Checks every token against one ref update at server time `now`.
ApprovalCheck CheckApprovals(const std::vector<std::string>& tokens, const ApprovalTarget& target,
                             const signatures::AllowedSigners& signers, int64_t now);

// Signs an approval with an OpenSSH private key (through `ssh-keygen -Y sign`) and returns the token.
Result<std::string> SignApproval(const ApprovalTarget& target, int64_t ttl_seconds, const std::string& key_path,
                                 int64_t now);

}  // namespace pushgate
