// Document rules (SPEC §3 `policies.documents`): policy checks over YAML and JSON files such as
// Kubernetes manifests, Helm values, CloudFormation templates and `*.tf.json`. A rule selects
// values with a selector and asserts facts about them:
//
//   - id: no-latest-image
//     paths: ["deploy/**/*.yaml"]            # matched by the caller (config/glob.h)
//     match: { kind: [Deployment, StatefulSet, DaemonSet] }
//     select: spec.template.spec.containers[*].image
//     assert: { not_matches: ":latest$|^[^:]+$" }
//     message: pin container images to a version
//
// Selectors: dotted keys, `[n]` (an index; negative counts from the end), `[*]` (every item of
// a list, or every value of a mapping) and quoted keys (`metadata.labels["app.kubernetes.io/name"]`).
//
// Semantics:
//   - `match` keys are selectors too (usually a top-level field); the rule applies to a document
//     only if, for every key, some selected scalar equals one of the listed values.
//   - A selector yields one result per concrete location. `[*]` over an empty list selects
//     nothing (there is nothing to check); over a missing value, a null or a scalar it yields one
//     *missing* result, so `exists` on `spec.containers[*].resources.limits.cpu` is checked for
//     each container, and a manifest without a containers list is reported rather than silently
//     accepted. An explicit null (`cpu:`, `cpu: ~`) counts as absent, as Kubernetes reads it.
//   - `exists: true` (or `absent: false`) breaks on every missing result; `absent: true` (or
//     `exists: false`) breaks on every present one. All other assertions only look at present
//     values: combine them with `exists: true` to also require presence.
//   - `equals`, `not_equals`, `in` and `not_in` compare scalars as YAML readers do: plain
//     booleans by value, including YAML 1.1 forms that Kubernetes accepts (`yes`, `on`), plain
//     numbers by value (`1.0` equals `1`), quoted text as text.
//   - `matches` and `not_matches` are RE2 searches (unanchored unless the pattern anchors) on
//     the scalar's text; a mapping or sequence never matches.
//   - `max` and `min` compare numbers and Kubernetes quantities: decimal (`1.5`, `1e3`), SI
//     suffixes n, u, m, k, M, G, T, P, E and binary suffixes Ki, Mi, Gi, Ti, Pi, Ei, so `500m`
//     is 0.5 and `2Gi` is 2147483648. A value that is neither breaks the rule.
//   - A repeated mapping key yields every one of its values: readers disagree on which wins.
//   - YAML merge keys are resolved as YAML 1.1 readers and Kubernetes do: a plain `<<` key whose
//     value is a mapping or a list of mappings (aliases included) adds their keys; a key the
//     mapping writes itself wins over a merged one, an earlier merged mapping over a later one,
//     and merged mappings merge in turn. So `securityContext: {<<: {privileged: true}}` selects
//     `privileged` as true. A quoted "<<" is an ordinary key.
//   - One violation per broken location, naming the first assertion it breaks.
//
// JSON is read as YAML (JSON is YAML 1.2 flow style). Hostile input is bounded: files larger
// than DocumentLimits::max_bytes, too many nodes, nesting deeper than max_depth, too many
// documents, or selectors fanning out over more than max_steps values (alias bombs, merge keys
// expanded: every merged pair counts, and merges nest at most max_depth deep) give a
// "too complex" violation; a file that does not parse gives a "does not parse" violation. Never
// an exception or a crash.
//
// Thread-safety: a DocumentRule is immutable after parsing; EvaluateDocumentRules() may run on
// many threads at once with the same rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/status.h"

namespace re2 {
class RE2;
}

namespace pushgate {

// One step of a selector.
struct SelectorStep {
  enum class Kind { kKey, kIndex, kAll };
  Kind kind = Kind::kKey;
  std::string key;    // kKey
  int64_t index = 0;  // kIndex; negative counts from the end
};

struct Selector {
  std::string text;  // as written
  std::vector<SelectorStep> steps;
};

// Parses `a.b[0].c[*]`, `a["dotted.key"]`, `a['x']`; InvalidArgument says what is wrong.
Result<Selector> ParseSelector(std::string_view text);

// Writes steps back as selector text, quoting keys that are not plain names.
std::string FormatSelector(const std::vector<SelectorStep>& steps);

// A number or a Kubernetes quantity (see the header comment) as a double; nullopt otherwise.
std::optional<double> ParseQuantity(std::string_view text);

// A scalar written in a rule; `quoted` keeps "true" (a string) apart from true (a boolean).
struct RuleScalar {
  std::string text;
  bool quoted = false;
};

// The assertions of one rule; unset ones are not checked.
struct DocumentAssertions {
  std::optional<bool> exists;  // true: must be present; false: must be absent
  std::optional<RuleScalar> equals;
  std::optional<RuleScalar> not_equals;
  std::optional<std::vector<RuleScalar>> in;
  std::optional<std::vector<RuleScalar>> not_in;
  std::string matches;  // pattern text, for messages
  std::shared_ptr<const re2::RE2> matches_re;
  std::string not_matches;
  std::shared_ptr<const re2::RE2> not_matches_re;
  std::optional<double> max;
  std::string max_text;
  std::optional<double> min;
  std::string min_text;
};

// One parsed `match` entry.
struct DocumentCondition {
  Selector selector;
  std::vector<RuleScalar> values;  // any one of them
};

struct DocumentRule {
  std::string id;
  std::vector<std::string> paths;                          // globs, matched by the caller
  std::map<std::string, std::vector<std::string>> match;   // as written: field -> accepted values
  std::vector<DocumentCondition> conditions;               // `match`, parsed
  std::string select;                                      // as written
  Selector selector;
  DocumentAssertions assertions;
  std::string message;  // may be empty
  int line = 0;         // of the rule in its configuration file
};

// Parses and validates one rule from its YAML node. Errors are InvalidArgument
// "<file>:<line>: <key>: <what>", with the key relative to the rule (`assert.max`, `select`).
Result<DocumentRule> ParseDocumentRule(const YAML::Node& node, std::string_view file_name);

struct DocumentViolation {
  std::string rule_id;     // the rule's id
  int line = 0;            // 1-based: the selected value, or for a missing one its deepest present parent
  int document_index = 0;  // 0-based, counting every document of the stream
  std::string selector;    // concrete, e.g. spec.template.spec.containers[1].image; empty for whole-file problems
  std::string value;       // the offending scalar, empty when absent or not a scalar
  std::string message;     // "<rule message>: <selector> <what is wrong>", or "does not parse: ..." / "too complex: ..."
};

// Bounds on the work for one file; the defaults suit manifests of any realistic size.
struct DocumentLimits {
  size_t max_bytes = 4u << 20;      // larger files are not parsed
  size_t max_nodes = 1000000;       // YAML nodes and aliases in the file
  int max_depth = 256;              // nesting of mappings and sequences
  size_t max_documents = 10000;     // documents in one stream
  size_t max_steps = 1000000;       // values visited by one rule's selectors over the file
};

// Evaluates `rules` (already chosen by the caller for `path`) on one file. A file that does not
// parse, or that exceeds `limits`, gives one violation per rule with the message
// "does not parse: <why>" or "too complex: <why>".
std::vector<DocumentViolation> EvaluateDocumentRules(const std::vector<DocumentRule>& rules, std::string_view path,
                                                     std::string_view content, const DocumentLimits& limits = {});

}  // namespace pushgate
