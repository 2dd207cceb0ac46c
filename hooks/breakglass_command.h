// `pushgate breakglass keygen|sign|verify` and `pushgate audit verify`: the approver's side of
// break-glass overrides and the auditor's check of the log. The command lines are a contract
// that runbooks call; see the README for the token format.
//
// Thread-safety: one command per process.
#pragma once

#include <string>
#include <vector>

namespace pushgate {

struct BreakglassSignArgs {
  std::string key;       // approver key file (pushgate keygen) or OpenSSH private key
  std::string repo, ref, old_oid, new_oid;
  std::string rules;     // comma-separated rule ids
  std::string reason;
  int64_t ttl_seconds = 3600;
  std::string cosign;    // an existing token to add a signature to (instead of the push fields)
};

int RunBreakglassKeygen(const std::string& out, const std::string& principal);
int RunBreakglassSign(const BreakglassSignArgs& args);
// Prints the token's fields and who signed it; verified against the configured approvers file
// when there is one. Exit 0 when at least one trusted approver signed it.
int RunBreakglassVerify(const std::string& token, const std::string& config_path);
int RunAuditVerify(const std::string& log, const std::string& config_path);

}  // namespace pushgate
