#include "config/config.h"

#include <re2/re2.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>

#include "base/files.h"

namespace pushgate {

namespace {

// Nesting beyond this is not walked for duplicate keys (no configuration key is nearly as deep).
constexpr int kMaxConfigDepth = 64;

// The accepted values of one configuration number; `unit` is appended to range errors.
struct IntRange {
  int64_t min;
  int64_t max;
  const char* unit = "";
};

// The ranges, shared by every key of a kind (install/pushgate.example.yaml documents them).
constexpr int64_t kGiB = 1ll << 30;
constexpr IntRange kSeconds{1, 86400, " seconds (one day)"};
constexpr IntRange kPushBytes{1, 1024 * kGiB, " bytes (1 TiB)"};
constexpr IntRange kPushCount{1, 1000000000, ""};
constexpr IntRange kFileBytes{0, 1024 * kGiB, " bytes (1 TiB; 0 means no limit)"};
constexpr IntRange kApprovals{1, 100, ""};
constexpr IntRange kTokenTtl{1, 30 * 86400, " seconds (30 days)"};
constexpr IntRange kVersion{1, 1000000, ""};  // then: only 1 is known

// Walks the YAML tree, converting values and collecting every error with file, line and key.
class Reader {
 public:
  Reader(std::string file, std::string base_dir) : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

  void Error(const YAML::Node& node, const std::string& key, const std::string& what) {
    int line = node.IsDefined() ? node.Mark().line + 1 : 0;
    errors_.push_back(file_ + ":" + (line > 0 ? std::to_string(line) : "?") + ": " + key + ": " + what);
  }
  const std::vector<std::string>& errors() const { return errors_; }
  void Raw(const std::string& message) { errors_.push_back(message); }

  // Reports keys of `map` that are not in `known`; false when `map` is not a mapping.
  bool Mapping(const YAML::Node& map, const std::string& key, std::initializer_list<const char*> known) {
    if (!map.IsMap()) {
      Error(map, key, "expected a mapping");
      return false;
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string name = it->first.Scalar();
      bool ok = false;
      for (const char* k : known) ok = ok || name == k;
      if (!ok) {
        std::string list;
        for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        Error(it->first, Join(key, name), "unknown key (known keys: " + list + ")");
      }
    }
    return true;
  }

  void Bool(const YAML::Node& map, const char* name, const std::string& key, bool* out) {
    YAML::Node n = map[name];
    if (!n) return;
    std::string full = Join(key, name);
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
      Error(n, full, "expected true or false");
      return;
    }
    *out = v;
  }

  // Reads an integer that must lie in [range.min, range.max]; a value outside is an error, never
  // clamped, so the gate never runs with a number nobody wrote.
  void Int(const YAML::Node& map, const char* name, const std::string& key, int64_t* out, IntRange range) {
    YAML::Node n = map[name];
    if (!n) return;
    std::string full = Join(key, name);
    int64_t v = 0;
    if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v)) {
      Error(n, full, "expected an integer from " + std::to_string(range.min) + " to " + std::to_string(range.max));
      return;
    }
    if (v < range.min || v > range.max) {
      Error(n, full, std::to_string(v) + " is out of range: expected " + std::to_string(range.min) + " to " +
                         std::to_string(range.max) + range.unit);
      return;
    }
    *out = v;
  }

  // Reports every key that appears twice in one mapping, anywhere in the tree below `node`
  // (yaml-cpp keeps both and lookups see only the first, silently). Each mapping or list is
  // visited once, so aliases cannot multiply the work.
  void DuplicateKeys(const YAML::Node& node, const std::string& key, int depth = 0) {
    if (depth > kMaxConfigDepth || !(node.IsMap() || node.IsSequence())) return;
    if (!visited_.insert(node.Mark().pos).second) return;  // an alias of a node already walked
    if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) DuplicateKeys(node[i], key + "[" + std::to_string(i) + "]", depth + 1);
      return;
    }
    std::map<std::string, int> first_line;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node k = it->first;
      const std::string name = k.IsScalar() ? k.Scalar() : "";
      const std::string full = Join(key, name);
      if (k.IsScalar()) {
        auto [at, fresh] = first_line.emplace(name, k.Mark().line + 1);
        if (!fresh) {
          Error(k, full, "duplicate key (first at line " + std::to_string(at->second) +
                             "); a key may appear only once in a mapping");
        }
      }
      DuplicateKeys(it->second, full, depth + 1);
    }
  }
  void String(const YAML::Node& map, const char* name, const std::string& key, std::string* out) {
    YAML::Node n = map[name];
    if (!n) return;
    if (!n.IsScalar()) {
      Error(n, Join(key, name), "expected a string");
      return;
    }
    *out = n.Scalar();
  }

  void Path(const YAML::Node& map, const char* name, const std::string& key, std::string* out) {
    String(map, name, key, out);
    *out = Resolve(*out);
  }

  void StringList(const YAML::Node& map, const char* name, const std::string& key, std::vector<std::string>* out) {
    YAML::Node n = map[name];
    if (!n) return;
    std::string full = Join(key, name);
    if (!n.IsSequence()) {
      Error(n, full, "expected a list of strings");
      return;
    }
    out->clear();
    for (size_t i = 0; i < n.size(); ++i) {
      if (!n[i].IsScalar()) {
        Error(n[i], full + "[" + std::to_string(i) + "]", "expected a string");
        continue;
      }
      out->push_back(n[i].Scalar());
    }
  }

  void Globs(const YAML::Node& map, const char* name, const std::string& key, std::vector<std::string>* patterns,
             GlobSet* out) {
    StringList(map, name, key, patterns);
    for (const auto& p : *patterns) {
      if (auto g = Glob::Compile(p); !g.ok()) Error(map[name], Join(key, name), g.status().message());
    }
    if (auto set = GlobSet::Compile(*patterns); set.ok()) *out = std::move(*set);
  }

  void Regex(const YAML::Node& node, const std::string& key, const std::string& pattern) {
    RE2::Options opts;
    opts.set_log_errors(false);
    RE2 re(pattern, opts);
    if (!re.ok()) Error(node, key, "bad regular expression '" + pattern + "': " + re.error());
  }

  template <typename E>
  void Enum(const YAML::Node& map, const char* name, const std::string& key,
            std::initializer_list<std::pair<const char*, E>> values, E* out) {
    YAML::Node n = map[name];
    if (!n) return;
    std::string allowed;
    for (const auto& [text, value] : values) {
      if (n.IsScalar() && n.Scalar() == text) {
        *out = value;
        return;
      }
      allowed += (allowed.empty() ? "" : " | ") + std::string(text);
    }
    Error(n, Join(key, name), "expected one of: " + allowed);
  }

  // Calls fn(item, "key[i]") for each element of a list.
  void List(const YAML::Node& map, const char* name, const std::string& key,
            const std::function<void(const YAML::Node&, const std::string&)>& fn) {
    YAML::Node n = map[name];
    if (!n) return;
    std::string full = Join(key, name);
    if (!n.IsSequence()) {
      Error(n, full, "expected a list");
      return;
    }
    for (size_t i = 0; i < n.size(); ++i) fn(n[i], full + "[" + std::to_string(i) + "]");
  }

  std::string Resolve(const std::string& path) const {
    if (path.empty() || path[0] == '/' || base_dir_.empty()) return path;
    return base_dir_ + "/" + path;
  }

  const std::string& file() const { return file_; }

  static std::string Join(const std::string& key, const std::string& name) {
    return key.empty() ? name : key + "." + name;
  }

 private:
  std::string file_;
  std::string base_dir_;
  std::vector<std::string> errors_;
  std::set<int> visited_;  // marks of the mappings and lists DuplicateKeys walked
};

const std::initializer_list<std::pair<const char*, FailMode>> kFailModes = {{"reject", FailMode::kReject},
                                                                            {"allow", FailMode::kAllow}};

void ReadLimits(Reader& r, const YAML::Node& n, LimitsConfig* out) {
  if (!r.Mapping(n, "limits", {"timeout_seconds", "max_blob_bytes", "max_commits", "max_blobs", "max_bytes", "on_limit"}))
    return;
  r.Int(n, "timeout_seconds", "limits", &out->timeout_seconds, kSeconds);
  r.Int(n, "max_blob_bytes", "limits", &out->max_blob_bytes, kPushBytes);
  r.Int(n, "max_commits", "limits", &out->max_commits, kPushCount);
  r.Int(n, "max_blobs", "limits", &out->max_blobs, kPushCount);
  r.Int(n, "max_bytes", "limits", &out->max_bytes, kPushBytes);
  r.Enum(n, "on_limit", "limits", kFailModes, &out->on_limit);
}

void ReadSecrets(Reader& r, const YAML::Node& n, SecretsConfig* out) {
  if (!r.Mapping(n, "secrets", {"enabled", "extra_rules", "disabled_rules", "block_preexisting", "scan_messages",
                                "allow", "baseline", "cache_dir"}))
    return;
  r.Bool(n, "enabled", "secrets", &out->enabled);
  r.StringList(n, "extra_rules", "secrets", &out->extra_rules);
  for (auto& p : out->extra_rules) p = r.Resolve(p);
  r.StringList(n, "disabled_rules", "secrets", &out->disabled_rules);
  r.Bool(n, "block_preexisting", "secrets", &out->block_preexisting);
  r.Bool(n, "scan_messages", "secrets", &out->scan_messages);
  r.Path(n, "baseline", "secrets", &out->baseline);
  r.Path(n, "cache_dir", "secrets", &out->cache_dir);
  if (YAML::Node allow = n["allow"]) {
    if (r.Mapping(allow, "secrets.allow", {"paths", "regexes", "stopwords"})) {
      GlobSet unused;
      r.Globs(allow, "paths", "secrets.allow", &out->allow_paths, &unused);
      r.StringList(allow, "regexes", "secrets.allow", &out->allow_regexes);
      for (const auto& re : out->allow_regexes) r.Regex(allow["regexes"], "secrets.allow.regexes", re);
      r.StringList(allow, "stopwords", "secrets.allow", &out->allow_stopwords);
    }
  }
}

void ReadTeams(Reader& r, const YAML::Node& n, std::map<std::string, std::vector<std::string>>* out) {
  if (!n.IsMap()) {
    r.Error(n, "teams", "expected a mapping of team name to a list of members");
    return;
  }
  for (auto it = n.begin(); it != n.end(); ++it) {
    std::string name = it->first.Scalar();
    std::vector<std::string> members;
    YAML::Node holder;
    holder[name] = it->second;
    r.StringList(holder, name.c_str(), "teams", &members);
    (*out)[name] = members;
  }
}

void ReadSigners(Reader& r, const YAML::Node& n, SignersConfig* out) {
  if (!r.Mapping(n, "signers", {"allowed_signers", "openpgp_keys", "ssh_fallback", "gpg_fallback"})) return;
  r.Path(n, "allowed_signers", "signers", &out->allowed_signers);
  r.Path(n, "openpgp_keys", "signers", &out->openpgp_keys);
  r.Bool(n, "ssh_fallback", "signers", &out->ssh_fallback);
  if (YAML::Node g = n["gpg_fallback"]) {
    if (g.IsScalar()) {
      r.Bool(n, "gpg_fallback", "signers", &out->gpg_fallback);
    } else if (r.Mapping(g, "signers.gpg_fallback", {"enabled", "keyring"})) {
      r.Bool(g, "enabled", "signers.gpg_fallback", &out->gpg_fallback);
      r.Path(g, "keyring", "signers.gpg_fallback", &out->gpg_keyring);
    }
  }
}

void ReadEnvironment(Reader& r, const YAML::Node& n, const std::string& key, std::vector<EnvironmentConfig>* out) {
  if (!r.Mapping(n, key, {"name", "refs", "paths", "require_signed", "require_codeowners", "approver", "codeowners"}))
    return;
  EnvironmentConfig env;
  r.String(n, "name", key, &env.name);
  if (env.name.empty()) r.Error(n, key + ".name", "every environment needs a name");
  r.Globs(n, "refs", key, &env.refs, &env.ref_globs);
  r.Globs(n, "paths", key, &env.paths, &env.path_globs);
  if (env.refs.empty()) r.Error(n, key + ".refs", "list the protected refs (e.g. refs/heads/main)");
  if (env.paths.empty()) r.Error(n, key + ".paths", "list the live paths (e.g. live/prod/**)");
  r.Bool(n, "require_signed", key, &env.require_signed);
  r.Bool(n, "require_codeowners", key, &env.require_codeowners);
  r.Enum(n, "approver", key, {{"signer", Approver::kSigner}, {"pusher", Approver::kPusher}, {"both", Approver::kBoth}},
         &env.approver);
  if (YAML::Node c = n["codeowners"]) {
    std::string ckey = key + ".codeowners";
    if (r.Mapping(c, ckey, {"file", "dialect"})) {
      r.String(c, "file", ckey, &env.codeowners_file);
      r.Enum(c, "dialect", ckey,
             {{"github", CodeownersDialect::kGitHub}, {"gitlab", CodeownersDialect::kGitLab}},
             &env.codeowners_dialect);
    }
  }
  out->push_back(std::move(env));
}

void ReadProtectedRef(Reader& r, const YAML::Node& n, const std::string& key, std::vector<ProtectedRefConfig>* out) {
  if (!r.Mapping(n, key, {"pattern", "allow_delete", "allow_force_push", "linear_history", "creators"})) return;
  ProtectedRefConfig p;
  r.String(n, "pattern", key, &p.pattern);
  auto g = Glob::Compile(p.pattern);
  if (!g.ok()) {
    r.Error(n["pattern"] ? n["pattern"] : n, key + ".pattern", g.status().message());
    return;
  }
  p.glob = *g;
  r.Bool(n, "allow_delete", key, &p.allow_delete);
  r.Bool(n, "allow_force_push", key, &p.allow_force_push);
  r.Bool(n, "linear_history", key, &p.linear_history);
  r.StringList(n, "creators", key, &p.creators);
  out->push_back(std::move(p));
}

void ReadExternal(Reader& r, const YAML::Node& n, const std::string& key, std::vector<ExternalPolicy>* out) {
  if (!r.Mapping(n, key, {"id", "command", "paths", "timeout_seconds"})) return;
  ExternalPolicy e;
  r.String(n, "id", key, &e.id);
  if (e.id.empty()) r.Error(n, key + ".id", "every external policy needs an id");
  r.StringList(n, "command", key, &e.command);
  if (e.command.empty()) r.Error(n, key + ".command", "expected the program and its arguments as a list");
  r.Globs(n, "paths", key, &e.paths, &e.path_globs);
  r.Int(n, "timeout_seconds", key, &e.timeout_seconds, kSeconds);
  out->push_back(std::move(e));
}

void ReadPolicies(Reader& r, const YAML::Node& n, PoliciesConfig* out) {
  if (!r.Mapping(n, "policies", {"protected_refs", "forbidden_paths", "max_file_bytes", "commit_message", "emails",
                                 "documents", "external"}))
    return;
  r.List(n, "protected_refs", "policies",
         [&](const YAML::Node& item, const std::string& key) { ReadProtectedRef(r, item, key, &out->protected_refs); });
  r.Globs(n, "forbidden_paths", "policies", &out->forbidden_paths, &out->forbidden_globs);
  r.Int(n, "max_file_bytes", "policies", &out->max_file_bytes, kFileBytes);
  if (YAML::Node c = n["commit_message"]) {
    if (r.Mapping(c, "policies.commit_message", {"pattern", "refs"})) {
      CommitMessagePolicy cm;
      r.String(c, "pattern", "policies.commit_message", &cm.pattern);
      if (cm.pattern.empty()) r.Error(c, "policies.commit_message.pattern", "a pattern is required");
      r.Regex(c["pattern"] ? c["pattern"] : c, "policies.commit_message.pattern", cm.pattern);
      r.Globs(c, "refs", "policies.commit_message", &cm.refs, &cm.ref_globs);
      out->commit_message = std::move(cm);
    }
  }
  if (YAML::Node e = n["emails"]) {
    if (r.Mapping(e, "policies.emails", {"allowed_domains"})) {
      r.StringList(e, "allowed_domains", "policies.emails", &out->allowed_email_domains);
    }
  }
  r.List(n, "documents", "policies", [&](const YAML::Node& item, const std::string& key) {
    auto rule = ParseDocumentRule(item, r.file());
    if (!rule.ok()) {
      r.Raw(rule.status().message());  // already "file:line: key: problem"
      return;
    }
    auto globs = GlobSet::Compile(rule->paths);
    if (!globs.ok()) {
      r.Error(item, key + ".paths", globs.status().message());
      return;
    }
    out->documents.push_back(std::move(*rule));
    out->document_globs.push_back(std::move(*globs));
  });
  r.List(n, "external", "policies",
         [&](const YAML::Node& item, const std::string& key) { ReadExternal(r, item, key, &out->external); });
}

void ReadBreakglass(Reader& r, const YAML::Node& n, BreakglassConfig* out) {
  if (!r.Mapping(n, "breakglass", {"approvers", "required_approvals", "two_person", "max_ttl_seconds", "used_tokens"}))
    return;
  r.Path(n, "approvers", "breakglass", &out->approvers);
  r.Int(n, "required_approvals", "breakglass", &out->required_approvals, kApprovals);
  r.Bool(n, "two_person", "breakglass", &out->two_person);
  r.Int(n, "max_ttl_seconds", "breakglass", &out->max_ttl_seconds, kTokenTtl);
  r.Path(n, "used_tokens", "breakglass", &out->used_tokens);
  if (!out->approvers.empty() && out->used_tokens.empty()) {
    r.Error(n, "breakglass.used_tokens", "required when approvers is set: used token ids must be recorded");
  }
}

void ReadAudit(Reader& r, const YAML::Node& n, AuditConfig* out) {
  if (!r.Mapping(n, "audit", {"log", "syslog"})) return;
  r.Path(n, "log", "audit", &out->log);
  r.Bool(n, "syslog", "audit", &out->syslog);
}

void ReadRoot(Reader& r, const YAML::Node& root, Config* cfg) {
  if (!r.Mapping(root, "(top level)", {"version", "on_error", "limits", "secrets", "teams", "signers", "environments",
                                       "policies", "breakglass", "audit"}))
    return;
  int64_t version = 1;
  r.Int(root, "version", "", &version, kVersion);
  if (version != 1) r.Error(root["version"], "version", "only version 1 is known");
  r.Enum(root, "on_error", "", kFailModes, &cfg->on_error);
  if (root["limits"]) ReadLimits(r, root["limits"], &cfg->limits);
  if (root["secrets"]) ReadSecrets(r, root["secrets"], &cfg->secrets);
  if (root["teams"]) ReadTeams(r, root["teams"], &cfg->teams);
  if (root["signers"]) ReadSigners(r, root["signers"], &cfg->signers);
  r.List(root, "environments", "",
         [&](const YAML::Node& item, const std::string& key) { ReadEnvironment(r, item, key, &cfg->environments); });
  if (root["policies"]) ReadPolicies(r, root["policies"], &cfg->policies);
  if (root["breakglass"]) ReadBreakglass(r, root["breakglass"], &cfg->breakglass);
  if (root["audit"]) ReadAudit(r, root["audit"], &cfg->audit);
}

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

std::string LocateConfig(const std::string& explicit_path, const std::string& git_dir) {
  if (!explicit_path.empty()) return explicit_path;
  if (std::string env = Getenv("PUSHGATE_CONFIG"); !env.empty()) return env;
  if (!git_dir.empty() && PathExists(git_dir + "/pushgate.yaml")) return git_dir + "/pushgate.yaml";
  if (PathExists("/etc/pushgate/pushgate.yaml")) return "/etc/pushgate/pushgate.yaml";
  return "";
}

Result<Config> ParseConfig(const std::string& yaml_text, const std::string& file_name) {
  Config cfg;
  cfg.source = file_name;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file_name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return cfg;  // an empty file means the defaults
  std::string base_dir = std::filesystem::path(file_name).parent_path().string();
  if (!base_dir.empty()) base_dir = std::filesystem::absolute(base_dir).lexically_normal().string();
  Reader r(file_name, base_dir);
  try {
    r.DuplicateKeys(root, "");
    ReadRoot(r, root, &cfg);
  } catch (const YAML::Exception& e) {
    r.Error(root, "(document)", e.what());
  }
  if (!r.errors().empty()) {
    std::string msg;
    for (const auto& e : r.errors()) msg += (msg.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(msg);
  }
  return cfg;
}

Result<Config> LoadConfig(const std::string& path) {
  if (path.empty()) {
    Config cfg;
    cfg.source = "(built-in defaults)";
    return cfg;
  }
  auto text = ReadFile(path, 4 << 20);
  if (!text.ok()) return Status::InvalidArgument("config " + text.status().message());
  return ParseConfig(*text, path);
}

}  // namespace pushgate
