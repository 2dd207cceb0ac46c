#include "hooks/referenced_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string_view>

#include "base/files.h"
#include "scanner/baseline.h"
#include "scanner/rules.h"
#include "signatures/allowed_signers.h"
#include "signatures/openpgp_keyring.h"

namespace pushgate {
namespace {

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

Status CheckAllowedSigners(const std::string& path) {
  auto loaded = signatures::AllowedSigners::Load(path);
  return loaded.ok() ? Status::Ok() : loaded.status();
}

Status CheckKeyring(const std::string& path) {
  auto loaded = signatures::PgpKeyring::Load(path);
  return loaded.ok() ? Status::Ok() : loaded.status();
}

// The extra rule files as the hook loads them (with the built-in rules, so duplicate ids and
// unknown disabled ids are found too), and the patterns of the extra rules, which the hook compiles
// when its database cache misses.
Status CheckExtraRules(const SecretsConfig& secrets) {
  scanner::RuleLoadOptions options;
  options.extra_files = secrets.extra_rules;
  options.disabled = secrets.disabled_rules;
  options.check_patterns = false;  // the built-in patterns are tested when the binary is built
  auto rules = scanner::LoadRuleSet(options);
  if (!rules.ok()) return rules.status();
  std::set<std::string> extra(secrets.extra_rules.begin(), secrets.extra_rules.end());
  for (const scanner::Rule& rule : rules->rules) {
    if (!extra.count(rule.source)) continue;
    PG_RETURN_IF_ERROR(scanner::CheckRulePattern(rule));
  }
  return Status::Ok();
}

Status CheckProgram(const std::vector<std::string>& command, const std::string& config_source) {
  if (command.empty()) return Status::InvalidArgument("no command");
  auto program = ResolvePolicyProgram(command.front(), config_source);
  if (!program.ok()) return program.status();
  if (!IsExecutableFile(*program)) {
    return Status::NotFound(*program + (PathExists(*program) ? " is not an executable file" : " does not exist"));
  }
  return Status::Ok();
}

}  // namespace

std::vector<ReferencedFileCheck> CheckEachReferencedFile(const Config& cfg) {
  std::vector<ReferencedFileCheck> out;
  auto add = [&out](std::string key, const std::string& path, Status status) {
    out.push_back(ReferencedFileCheck{std::move(key), path, std::move(status)});
  };
  if (!cfg.signers.allowed_signers.empty()) {
    add("signers.allowed_signers", cfg.signers.allowed_signers, CheckAllowedSigners(cfg.signers.allowed_signers));
  }
  if (!cfg.signers.openpgp_keys.empty()) {
    add("signers.openpgp_keys", cfg.signers.openpgp_keys, CheckKeyring(cfg.signers.openpgp_keys));
  }
  if (cfg.signers.gpg_fallback) {
    add("signers.gpg_fallback.keyring", cfg.signers.gpg_keyring,
        cfg.signers.gpg_keyring.empty() ? Status::InvalidArgument("gpg_fallback is enabled without a keyring")
                                        : CheckKeyring(cfg.signers.gpg_keyring));
  }
  if (!cfg.breakglass.approvers.empty()) {
    add("breakglass.approvers", cfg.breakglass.approvers, CheckAllowedSigners(cfg.breakglass.approvers));
  }
  if (cfg.secrets.enabled && !cfg.secrets.baseline.empty()) {
    auto baseline = scanner::Baseline::Load(cfg.secrets.baseline);
    add("secrets.baseline", cfg.secrets.baseline, baseline.ok() ? Status::Ok() : baseline.status());
  }
  if (cfg.secrets.enabled && !cfg.secrets.extra_rules.empty()) {
    std::string files;
    for (const auto& f : cfg.secrets.extra_rules) files += (files.empty() ? "" : ", ") + f;
    add("secrets.extra_rules", files, CheckExtraRules(cfg.secrets));
  }
  for (const ExternalPolicy& policy : cfg.policies.external) {
    add("policies.external[" + policy.id + "].command", policy.command.empty() ? "" : policy.command.front(),
        CheckProgram(policy.command, cfg.source));
  }
  return out;
}

Status CheckReferencedFiles(const Config& cfg) {
  std::string message;
  for (const ReferencedFileCheck& check : CheckEachReferencedFile(cfg)) {
    if (check.status.ok()) continue;
    message += (message.empty() ? "" : "\n") + check.key + ": " + check.status.message();
  }
  return message.empty() ? Status::Ok() : Status::InvalidArgument(message);
}

Result<std::string> ResolvePolicyProgram(const std::string& program, const std::string& config_source) {
  if (program.empty()) return Status::InvalidArgument("the command's program is empty");
  if (program.front() == '/') return program;
  if (program.find('/') != std::string::npos) {
    std::filesystem::path base = std::filesystem::path(config_source).parent_path();
    if (base.is_relative()) base = std::filesystem::absolute(base);
    return (base / program).lexically_normal().string();
  }
  const char* path_env = std::getenv("PATH");
  std::string_view dirs = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    std::string dir(dirs.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (!dir.empty() && dir.front() == '/') {
      std::string candidate = dir + "/" + program;
      if (IsExecutableFile(candidate)) return candidate;
    }
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return Status::NotFound("'" + program + "' was not found on PATH");
}

}  // namespace pushgate
