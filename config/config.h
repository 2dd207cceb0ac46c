// The pushgate configuration (SPEC §3): a YAML file found by LocateConfig(), parsed and validated
// by LoadConfig() into plain structs. Validation is strict: unknown keys, a key written twice in
// any mapping (YAML readers would silently keep one of them), wrong types, numbers outside their
// range (seconds 1..86400, byte limits up to 1 TiB, counts up to 10^9, break-glass approvals
// 1..100 and token lifetimes up to 30 days: no value can overflow the arithmetic that uses it),
// bad globs and bad regexes are errors that name the file, the line and the key, and every error
// in the file is reported at once. Configuration is never read from pushed content.
//
// Relative paths inside the file (allowed_signers, baseline, ...) are resolved against the
// directory of the config file.
//
// Thread-safety: a loaded Config is an immutable value; share it freely.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/status.h"
#include "config/codeowners.h"
#include "config/document_rules.h"
#include "config/glob.h"

namespace pushgate {

enum class FailMode { kReject, kAllow };

struct LimitsConfig {
  int64_t timeout_seconds = 60;            // wall-clock budget for one hook run
  int64_t max_blob_bytes = 100ll << 20;    // larger blobs are not scanned: handled per on_limit
  int64_t max_commits = 100000;            // per push
  int64_t max_blobs = 1000000;             // per push
  int64_t max_bytes = 4ll << 30;           // total blob bytes per push
  FailMode on_limit = FailMode::kReject;   // always reported and audited either way
};

struct SecretsConfig {
  bool enabled = true;
  std::vector<std::string> extra_rules;    // rule files, absolute after loading
  std::vector<std::string> disabled_rules;
  bool block_preexisting = false;
  bool scan_messages = true;
  std::vector<std::string> allow_paths;
  std::vector<std::string> allow_regexes;
  std::vector<std::string> allow_stopwords;
  std::string baseline;                    // fingerprint file; empty = none
  std::string cache_dir;                   // compiled rule database cache; empty = default
};

struct SignersConfig {
  std::string allowed_signers;
  std::string openpgp_keys;
  bool ssh_fallback = true;
  bool gpg_fallback = false;
  std::string gpg_keyring;
};

enum class Approver { kSigner, kPusher, kBoth };

struct EnvironmentConfig {
  std::string name;
  std::vector<std::string> refs;
  std::vector<std::string> paths;
  GlobSet ref_globs;
  GlobSet path_globs;
  bool require_signed = false;
  bool require_codeowners = false;
  Approver approver = Approver::kSigner;
  std::string codeowners_file;             // empty: the dialect's standard locations
  CodeownersDialect codeowners_dialect = CodeownersDialect::kGitHub;
};

struct ProtectedRefConfig {
  std::string pattern;
  Glob glob;
  bool allow_delete = false;
  bool allow_force_push = false;
  bool linear_history = false;
  std::vector<std::string> creators;       // empty: anyone may create a matching ref
};

struct CommitMessagePolicy {
  std::string pattern;                     // RE2, searched in the whole message
  std::vector<std::string> refs;
  GlobSet ref_globs;
};

struct ExternalPolicy {
  std::string id;
  std::vector<std::string> command;
  std::vector<std::string> paths;
  GlobSet path_globs;
  int64_t timeout_seconds = 30;
};

struct PoliciesConfig {
  std::vector<ProtectedRefConfig> protected_refs;
  std::vector<std::string> forbidden_paths;
  GlobSet forbidden_globs;
  int64_t max_file_bytes = 0;              // 0: no limit
  std::optional<CommitMessagePolicy> commit_message;
  std::vector<std::string> allowed_email_domains;
  std::vector<DocumentRule> documents;
  std::vector<GlobSet> document_globs;     // parallel to documents
  std::vector<ExternalPolicy> external;
};

struct BreakglassConfig {
  std::string approvers;                   // allowed_signers format; empty: break-glass disabled
  int64_t required_approvals = 1;
  bool two_person = true;
  int64_t max_ttl_seconds = 86400;
  std::string used_tokens;
};

struct AuditConfig {
  std::string log;                         // empty: no audit log
  bool syslog = false;
};

struct Config {
  std::string source;                      // the file it came from, or "(built-in defaults)"
  int version = 1;
  FailMode on_error = FailMode::kReject;
  LimitsConfig limits;
  SecretsConfig secrets;
  std::map<std::string, std::vector<std::string>> teams;
  SignersConfig signers;
  std::vector<EnvironmentConfig> environments;
  PoliciesConfig policies;
  BreakglassConfig breakglass;
  AuditConfig audit;
};

// Finds the config file: explicit (from --config), then $PUSHGATE_CONFIG, then
// $GIT_DIR/pushgate.yaml (git_dir may be empty), then /etc/pushgate/pushgate.yaml. Returns "" when
// none exists (built-in defaults apply). An explicit or $PUSHGATE_CONFIG path that does not exist
// is returned as is, so loading it reports the missing file instead of silently using defaults.
std::string LocateConfig(const std::string& explicit_path, const std::string& git_dir);

// Parses YAML text. Errors are "file:line: key: problem", one per line, all of them.
Result<Config> ParseConfig(const std::string& yaml_text, const std::string& file_name);

// Reads and parses path; an empty path gives the built-in defaults.
Result<Config> LoadConfig(const std::string& path);

}  // namespace pushgate
