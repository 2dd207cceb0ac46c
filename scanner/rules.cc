#include "scanner/rules.h"

#include <hs/hs.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "base/files.h"
#include "scanner/cache_file.h"
#include "scanner/embedded_rules.h"
#include "scanner/pattern.h"
#include "scanner/rule_cache.h"

namespace pushgate::scanner {

namespace {

constexpr uint64_t kMaxRuleFileBytes = 16ull << 20;

std::string Where(const std::string& file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return file;
  return file + ":" + std::to_string(mark.line + 1);
}

Status FieldError(const std::string& file, const YAML::Node& node, const std::string& id, const std::string& field,
                  const std::string& problem) {
  std::string msg = Where(file, node) + ": ";
  if (!id.empty()) msg += "rule '" + id + "': ";
  if (!field.empty()) msg += field + ": ";
  return Status::InvalidArgument(msg + problem);
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 100) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return id.front() != '-' && id.front() != '.';
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

Result<std::string> ScalarField(const std::string& file, const YAML::Node& node, const std::string& id,
                                const std::string& field) {
  if (!node.IsScalar()) return FieldError(file, node, id, field, "must be a string");
  return node.Scalar();
}

Result<std::vector<std::string>> StringList(const std::string& file, const YAML::Node& node, const std::string& id,
                                            const std::string& field) {
  if (!node.IsSequence()) return FieldError(file, node, id, field, "must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : node) {
    if (!item.IsScalar()) return FieldError(file, item, id, field, "must be a list of strings");
    out.push_back(item.Scalar());
  }
  return out;
}

Result<Rule> ParseRule(const std::string& file, const YAML::Node& node) {
  if (!node.IsMap()) return FieldError(file, node, "", "", "a rule must be a mapping");
  Rule rule;
  rule.source = file;
  rule.source_line = node.Mark().line < 0 ? 0 : static_cast<size_t>(node.Mark().line) + 1;

  const YAML::Node id = node["id"];
  if (!id) return FieldError(file, node, "", "id", "missing");
  auto id_value = ScalarField(file, id, "", "id");
  if (!id_value.ok()) return id_value.status();
  rule.id = *id_value;
  if (!ValidId(rule.id)) {
    return FieldError(file, id, "", "id", "'" + rule.id + "' must be lower-case letters, digits, '-', '_' or '.'");
  }

  static const std::set<std::string> kKnown = {"id",       "name",       "pattern",    "keywords",
                                               "entropy",  "checksum",   "multiline",  "confidence",
                                               "references", "examples", "negative_examples"};
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (!kKnown.count(key)) return FieldError(file, kv.first, rule.id, key, "unknown field");
  }

  for (const char* required : {"name", "pattern"}) {
    const YAML::Node field = node[required];
    if (!field) return FieldError(file, node, rule.id, required, "missing");
    auto value = ScalarField(file, field, rule.id, required);
    if (!value.ok()) return value.status();
    if (value->empty()) return FieldError(file, field, rule.id, required, "must not be empty");
    (std::string(required) == "name" ? rule.name : rule.pattern) = *value;
  }

  if (const YAML::Node kw = node["keywords"]) {
    auto list = StringList(file, kw, rule.id, "keywords");
    if (!list.ok()) return list.status();
    for (auto& k : *list) {
      if (k.empty()) return FieldError(file, kw, rule.id, "keywords", "a keyword must not be empty");
      rule.keywords.push_back(Lower(k));
    }
  }
  if (const YAML::Node entropy = node["entropy"]) {
    try {
      rule.min_entropy = entropy.as<double>();
    } catch (const YAML::Exception&) {
      return FieldError(file, entropy, rule.id, "entropy", "must be a number");
    }
    if (!(rule.min_entropy >= 0 && rule.min_entropy <= 8)) {
      return FieldError(file, entropy, rule.id, "entropy", "must be between 0 and 8 bits per byte");
    }
  }
  if (const YAML::Node checksum = node["checksum"]) {
    auto value = ScalarField(file, checksum, rule.id, "checksum");
    if (!value.ok()) return value.status();
    if (*value == "github") {
      rule.checksum = Checksum::kGithub;
    } else if (*value == "npm") {
      rule.checksum = Checksum::kNpm;
    } else {
      return FieldError(file, checksum, rule.id, "checksum", "'" + *value + "' is not one of: github, npm");
    }
  }
  if (const YAML::Node multiline = node["multiline"]) {
    try {
      rule.multiline = multiline.as<bool>();
    } catch (const YAML::Exception&) {
      return FieldError(file, multiline, rule.id, "multiline", "must be true or false");
    }
  }
  if (const YAML::Node confidence = node["confidence"]) {
    auto value = ScalarField(file, confidence, rule.id, "confidence");
    if (!value.ok()) return value.status();
    if (*value != "high" && *value != "medium") {
      return FieldError(file, confidence, rule.id, "confidence", "'" + *value + "' is not one of: high, medium");
    }
    rule.confidence = *value;
  }
  struct ListField {
    const char* key;
    std::vector<std::string>* target;
  };
  for (const ListField& lf : {ListField{"references", &rule.references}, ListField{"examples", &rule.examples},
                              ListField{"negative_examples", &rule.negative_examples}}) {
    if (const YAML::Node list_node = node[lf.key]) {
      auto list = StringList(file, list_node, rule.id, lf.key);
      if (!list.ok()) return list.status();
      *lf.target = std::move(*list);
    }
  }
  return rule;
}

}  // namespace

std::vector<RuleSource> BuiltinRuleSources() {
  std::vector<RuleSource> out;
  out.reserve(kEmbeddedRuleFileCount);
  for (size_t i = 0; i < kEmbeddedRuleFileCount; ++i) {
    const EmbeddedRuleFile& f = kEmbeddedRuleFiles[i];
    out.push_back({f.name, std::string(reinterpret_cast<const char*>(f.data), f.size)});
  }
  return out;
}

Result<std::vector<Rule>> ParseRuleFile(const RuleSource& source) {
  const std::string& file = source.name;
  YAML::Node root;
  try {
    root = YAML::Load(source.contents);
  } catch (const YAML::ParserException& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ": not valid YAML: " + e.what());
  }
  try {
    if (!root.IsMap()) return Status::InvalidArgument(file + ": a rule file must be a mapping with a 'rules' list");
    for (const auto& kv : root) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (key != "rules") return FieldError(file, kv.first, "", key, "unknown top-level key (expected 'rules')");
    }
    const YAML::Node rules = root["rules"];
    if (!rules || !rules.IsSequence()) return Status::InvalidArgument(file + ": 'rules' must be a list");
    std::vector<Rule> out;
    for (const auto& node : rules) {
      auto rule = ParseRule(file, node);
      if (!rule.ok()) return rule.status();
      out.push_back(std::move(*rule));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ": " + e.what());
  }
}

Status CheckRulePattern(const Rule& rule) {
  const std::string where = rule.source + ":" + std::to_string(rule.source_line) + ": rule '" + rule.id + "': pattern: ";
  for (bool anchored : {false, true}) {
    RE2 re(anchored ? AnchoredEndExpression(rule) : ConfirmExpression(rule), Re2Options(rule, !anchored));
    if (!re.ok()) return Status::InvalidArgument(where + "RE2 rejects it: " + re.error());
  }
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_expression_info(rule.pattern.c_str(), HyperscanFlags(rule), &info, &error) != HS_SUCCESS) {
    std::string msg = error && error->message ? error->message : "unknown error";
    hs_free_compile_error(error);
    return Status::InvalidArgument(where + "Hyperscan rejects it: " + msg);
  }
  const bool empty_ok = info->min_width == 0;
  free(info);  // allocated with the default Hyperscan allocator (malloc)
  if (empty_ok) return Status::InvalidArgument(where + "it can match an empty string");
  return Status::Ok();
}

Result<RuleSet> BuildRuleSet(const std::vector<RuleSource>& sources, const std::vector<std::string>& disabled,
                             bool check_patterns) {
  RuleSet set;
  std::map<std::string, std::string> seen;  // id -> "file:line"
  for (const auto& source : sources) {
    auto rules = ParseRuleFile(source);
    if (!rules.ok()) return rules.status();
    for (auto& rule : *rules) {
      std::string where = rule.source + ":" + std::to_string(rule.source_line);
      auto [it, inserted] = seen.emplace(rule.id, where);
      if (!inserted) {
        return Status::InvalidArgument(where + ": rule '" + rule.id + "': id: already defined at " + it->second);
      }
      set.rules.push_back(std::move(rule));
    }
  }
  for (const auto& id : disabled) {
    if (!seen.count(id)) return Status::InvalidArgument("disabled rule '" + id + "' does not exist");
  }
  std::set<std::string> off(disabled.begin(), disabled.end());
  set.rules.erase(std::remove_if(set.rules.begin(), set.rules.end(), [&](const Rule& r) { return off.count(r.id) > 0; }),
                  set.rules.end());
  if (check_patterns) {
    for (const auto& rule : set.rules) PG_RETURN_IF_ERROR(CheckRulePattern(rule));
  }
  return set;
}

Result<RuleSet> LoadRuleSet(const RuleLoadOptions& options) {
  std::vector<RuleSource> sources;
  if (options.builtin) sources = BuiltinRuleSources();
  for (const auto& path : options.extra_files) {
    auto contents = ReadFile(path, kMaxRuleFileBytes);
    if (!contents.ok()) return contents.status().Prefixed("rule file " + path);
    sources.push_back({path, std::move(*contents)});
  }
  std::string cache_path;
  if (!options.cache_dir.empty()) {
    const std::string key = RuleSetCacheKey(sources, options.disabled);
    if (!key.empty()) cache_path = options.cache_dir + "/" + key + ".rules";
  }
  if (!cache_path.empty()) {
    // The key covers every input, so a hit is exactly what parsing would give. Patterns are
    // checked by Scanner::Create whenever it compiles, so a hit needs no further validation.
    auto cached = ReadTrustedCacheFile(cache_path, kMaxRuleFileBytes * 4);
    if (cached.ok()) {
      auto decoded = DecodeRuleSet(*cached);
      if (decoded.ok()) return decoded;
    }
  }
  auto set = BuildRuleSet(sources, options.disabled, options.check_patterns);
  if (set.ok() && !cache_path.empty() && EnsureCacheDir(options.cache_dir).ok()) {
    (void)WriteCacheFile(cache_path, EncodeRuleSet(*set));  // best effort: a failure costs a re-parse
  }
  return set;
}

}  // namespace pushgate::scanner
