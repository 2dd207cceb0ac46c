#include "hooks/breakglass_command.h"

#include <ctime>
#include <iostream>
#include <sstream>

#include "config/config.h"
#include "hooks/audit_log.h"
#include "signatures/allowed_signers.h"
#include "signatures/breakglass.h"
#include "signatures/breakglass_key.h"
#include "signatures/breakglass_token.h"

namespace pushgate {

namespace {

int Error(const Status& s) {
  std::cerr << "pushgate: error: " << s.message() << "\n";
  return s.ExitCode() == 3 ? 1 : s.ExitCode();
}

std::vector<std::string> SplitRules(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string Time(int64_t t) {
  char buf[32];
  std::time_t tt = static_cast<std::time_t>(t);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
  return buf;
}

Result<Config> ConfigFor(const std::string& config_path) {
  const char* git_dir = std::getenv("GIT_DIR");
  return LoadConfig(LocateConfig(config_path, git_dir ? git_dir : ""));
}

}  // namespace

int RunBreakglassKeygen(const std::string& out, const std::string& principal) {
  auto info = BreakglassKeygen(out, principal);
  if (!info.ok()) return Error(info.status());
  std::cerr << "pushgate: wrote " << info->secret_path << " (secret, mode 0600) and " << info->public_path << "\n";
  std::cerr << "pushgate: add this line to the server's breakglass.approvers file:\n";
  std::cout << info->approvers_line << "\n";
  return 0;
}

int RunBreakglassSign(const BreakglassSignArgs& a) {
  if (!a.cosign.empty()) {
    auto token = CosignBreakglassToken(a.cosign, a.key);
    if (!token.ok()) return Error(token.status());
    std::cout << *token << "\n";
    return 0;
  }
  if (a.repo.empty() || a.ref.empty() || a.old_oid.empty() || a.new_oid.empty() || a.rules.empty() || a.reason.empty()) {
    return Error(Status::InvalidArgument("sign needs --repo, --ref, --old, --new, --rules and --reason (or --cosign TOKEN)"));
  }
  auto payload = NewBreakglassPayload(a.repo, a.ref, a.old_oid, a.new_oid, SplitRules(a.rules), a.reason,
                                      a.ttl_seconds, static_cast<int64_t>(std::time(nullptr)));
  if (!payload.ok()) return Error(payload.status());
  auto token = SignBreakglassToken(SerializeBreakglassPayload(*payload), a.key);
  if (!token.ok()) return Error(token.status());
  std::cout << *token << "\n";
  return 0;
}

int RunBreakglassVerify(const std::string& text, const std::string& config_path) {
  auto token = ParseBreakglassToken(text);
  if (!token.ok()) return Error(token.status());
  const auto& p = token->payload;
  std::string rules;
  for (const auto& r : p.rules) rules += (rules.empty() ? "" : ",") + r;
  std::cout << "id:         " << p.id << "\nrepository: " << p.repo << "\nref:        " << p.ref << "\nold:        "
            << p.old_oid << "\nnew:        " << p.new_oid << "\nrules:      " << rules << "\nreason:     " << p.reason
            << "\nissued:     " << Time(p.iat) << "\nexpires:    " << Time(p.exp) << "\nsignatures: "
            << token->signatures.size() << "\n";
  auto cfg = ConfigFor(config_path);
  if (!cfg.ok()) return Error(cfg.status());
  if (cfg->breakglass.approvers.empty()) {
    std::cout << "approvers:  not checked (no breakglass.approvers in " << cfg->source << ")\n";
    return 1;
  }
  auto approvers = signatures::AllowedSigners::Load(cfg->breakglass.approvers);
  if (!approvers.ok()) return Error(approvers.status());
  auto verified = VerifyBreakglassToken(*token, *approvers, static_cast<int64_t>(std::time(nullptr)),
                                        BreakglassVerifyOptions{cfg->signers.ssh_fallback});
  if (!verified.ok()) return Error(verified.status());
  for (const auto& a : verified->approvals) std::cout << "approved by: " << a.principal << " (" << a.fingerprint << ")\n";
  for (const auto& problem : verified->problems) std::cout << "not counted: " << problem << "\n";
  return verified->approvals.empty() ? 1 : 0;
}

int RunAuditVerify(const std::string& log, const std::string& config_path) {
  std::string path = log;
  if (path.empty()) {
    auto cfg = ConfigFor(config_path);
    if (!cfg.ok()) return Error(cfg.status());
    path = cfg->audit.log;
    if (path.empty()) return Error(Status::InvalidArgument("no log given and no audit.log in " + cfg->source));
  }
  std::string report;
  Status s = VerifyAuditLog(path, &report);
  if (!s.ok()) {
    std::cerr << "pushgate: error: " << (report.empty() ? s.message() : report) << "\n";
    return s.code() == Status::Code::kNotFound ? 2 : 1;
  }
  std::cout << report << "\n";
  return 0;
}

}  // namespace pushgate
