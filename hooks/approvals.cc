#include "hooks/approvals.h"

#include <cstdlib>

#include "base/files.h"
#include "base/subprocess.h"
#include "hooks/platform.h"
#include "signatures/breakglass_token.h"
#include "signatures/sshsig.h"

namespace pushgate {

std::string ApprovalMessage(const ApprovalTarget& t, int64_t expires) {
  return "pushgate-approval v1\nrepository " + t.repository + "\nref " + t.ref + "\nold " + t.old_oid + "\nnew " +
         t.new_oid + "\nexpires " + std::to_string(expires) + "\n";
}

std::vector<std::string> ApprovalPushOptions() { return PushOptionValues("approve"); }

namespace {

// Verifies one token; returns the approver's identities or why it does not count.
Result<std::vector<std::string>> CheckOne(const std::string& token, const ApprovalTarget& target,
                                          const signatures::AllowedSigners& signers, int64_t now) {
  auto dot = token.find('.');
  if (dot == std::string::npos || dot == 0 || dot > 12) return Status::InvalidArgument("malformed approval token");
  int64_t expires = 0;
  for (char c : token.substr(0, dot)) {
    if (c < '0' || c > '9') return Status::InvalidArgument("malformed approval token");
    expires = expires * 10 + (c - '0');
  }
  if (expires < now) return Status::InvalidArgument("approval expired");
  auto blob = Base64UrlDecode(token.substr(dot + 1));
  if (!blob.ok()) return blob.status();
  auto sig = signatures::ParseSshsigBlob(*blob);
  if (!sig.ok()) return sig.status();
  Status verified = signatures::VerifySshsig(*sig, ApprovalMessage(target, expires), kApprovalNamespace);
  if (!verified.ok()) return verified.Prefixed("approval signature (it must name this exact push)");
  auto entries = signers.Find(sig->key, kApprovalNamespace, now);
  if (entries.empty()) {
    return Status::InvalidArgument("approval key " + sig->key.Fingerprint() + " is not trusted in allowed_signers");
  }
  std::vector<std::string> identities;
  for (const auto* e : entries) identities.insert(identities.end(), e->principals.begin(), e->principals.end());
  return identities;
}

}  // namespace

ApprovalCheck CheckApprovals(const std::vector<std::string>& tokens, const ApprovalTarget& target,
                             const signatures::AllowedSigners& signers, int64_t now) {
  ApprovalCheck out;
  for (const auto& t : tokens) {
    auto ids = CheckOne(t, target, signers, now);
    if (ids.ok()) {
      out.approvers.push_back(std::move(*ids));
    } else {
      out.problems.push_back(ids.status().message());
    }
  }
  return out;
}

Result<std::string> SignApproval(const ApprovalTarget& target, int64_t ttl_seconds, const std::string& key_path,
                                 int64_t now) {
  if (ttl_seconds <= 0) return Status::InvalidArgument("--ttl must be positive");
  const int64_t expires = now + ttl_seconds;
  TempDir dir("pushgate-approve");
  if (dir.path().empty()) return Status::IOError("cannot create a temporary directory");
  const std::string message_file = dir.path() + "/approval";
  PG_RETURN_IF_ERROR(WriteFileAtomic(message_file, ApprovalMessage(target, expires), 0600));
  ProcessOptions po;
  po.timeout = std::chrono::seconds(60);
  auto r = RunProcess({"ssh-keygen", "-q", "-Y", "sign", "-f", key_path, "-n", kApprovalNamespace, message_file}, po);
  if (!r.ok()) return r.status();
  if (!r->ok()) return Status::InvalidArgument("ssh-keygen -Y sign failed: " + r->err);
  auto armored = ReadFile(message_file + ".sig");
  if (!armored.ok()) return armored.status();
  auto sig = signatures::ParseArmoredSshsig(*armored);
  if (!sig.ok()) return sig.status();
  return std::to_string(expires) + "." + Base64UrlEncode(signatures::SerializeSshsig(*sig));
}

}  // namespace pushgate
