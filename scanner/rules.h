// Secret-detection rules: the YAML rule files shipped in the binary (config/rules/*.yaml) plus
// any extra rule files named in the config, parsed into a RuleSet. Loading validates every field
// and reports errors as "<file>:<line>: rule '<id>': <field>: <problem>".
//
// Rule file schema (config/rules/<provider>.yaml):
//   rules:
//     - id: aws-access-key-id          # findings are reported as "secret/<id>"; unique across files
//       name: AWS access key ID
//       pattern: '\b((?:AKIA|ASIA)[A-Z2-7]{16})\b'   # common subset of Hyperscan and RE2 syntax;
//                                      # the secret is group `(?P<secret>...)`, else group 1, else all
//       keywords: [aws]                # optional, case-insensitive, within 256 bytes before or in the match
//       entropy: 3.0                   # optional minimum Shannon entropy (bits per byte) of the secret
//       checksum: github               # optional: github | npm
//       multiline: false               # optional: `.` also matches newlines
//       confidence: high               # high | medium
//       references: [https://...]
//       examples: ["..."]              # each must produce a finding of this rule
//       negative_examples: ["..."]     # each must produce no finding of this rule
//
// Thread-safety: a RuleSet is an immutable value once loaded; share it freely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace pushgate::scanner {

// Provider-specific token checksums that tell a real token from a random look-alike.
enum class Checksum { kNone, kGithub, kNpm };

struct Rule {
  std::string id;                         // without the "secret/" prefix
  std::string name;
  std::string pattern;
  std::vector<std::string> keywords;      // lower-cased
  double min_entropy = 0;                 // 0: no entropy requirement
  Checksum checksum = Checksum::kNone;
  bool multiline = false;
  std::string confidence = "medium";      // "high" | "medium"
  std::vector<std::string> references;
  std::vector<std::string> examples;
  std::vector<std::string> negative_examples;
  std::string source;                     // the file the rule came from, for messages
  size_t source_line = 0;                 // 1-based line of the rule in that file
};

struct RuleSet {
  std::vector<Rule> rules;
};

// A rule file in memory: its name (used in messages) and its YAML text.
struct RuleSource {
  std::string name;
  std::string contents;
};

struct RuleLoadOptions {
  bool builtin = true;                    // include the rule files embedded in the binary
  std::vector<std::string> extra_files;   // more rule files to read from disk
  std::vector<std::string> disabled;      // rule ids to leave out; an unknown id is an error
  // Compile every pattern in RE2 and in Hyperscan now. Scanner::Create performs the same checks
  // whenever it has to compile (a cache miss), so a hook may skip this to start faster.
  bool check_patterns = true;
  // Directory for a parsed copy of the rule set (see rule_cache.h); "" = always parse the YAML.
  std::string cache_dir;
};

// The rule files compiled into the binary, sorted by name.
std::vector<RuleSource> BuiltinRuleSources();

// Parses and validates one rule file (fields only; see CheckRulePattern for patterns).
Result<std::vector<Rule>> ParseRuleFile(const RuleSource& source);

// Checks that the rule's pattern compiles in RE2 and in Hyperscan with the flags the scanner
// uses; the error names the file, the rule and the engine that refused it.
Status CheckRulePattern(const Rule& rule);

// Builds a RuleSet from in-memory sources: parses each, rejects duplicate ids across files,
// removes disabled ids, and optionally checks the patterns.
Result<RuleSet> BuildRuleSet(const std::vector<RuleSource>& sources, const std::vector<std::string>& disabled,
                             bool check_patterns = true);

// Loads the built-in rules and/or the extra files named in options, from the parsed-rules cache
// when options.cache_dir holds a copy made from exactly these files.
Result<RuleSet> LoadRuleSet(const RuleLoadOptions& options);

}  // namespace pushgate::scanner
