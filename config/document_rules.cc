#include "config/document_rules.h"

#include <re2/re2.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace pushgate {

namespace {

// ------------------------------------------------------------------ selectors

bool IsBareKeyChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

std::string QuoteKey(const std::string& key) {
  std::string out = "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"]";
}

std::string StepText(const SelectorStep& step, bool first) {
  switch (step.kind) {
    case SelectorStep::Kind::kAll:
      return "[*]";
    case SelectorStep::Kind::kIndex:
      return "[" + std::to_string(step.index) + "]";
    case SelectorStep::Kind::kKey:
      break;
  }
  bool bare = !step.key.empty() && std::all_of(step.key.begin(), step.key.end(), IsBareKeyChar);
  if (!bare) return QuoteKey(step.key);
  return first ? step.key : "." + step.key;
}

// ------------------------------------------------------------------ documents
//
// Documents are read through yaml-cpp's event parser into a compact tree of our own rather than
// into YAML::Node, so that the number of nodes, the nesting depth and the number of documents
// are bounded while parsing, aliases stay shared (an alias is a reference to its anchor's node,
// never a copy), and freeing the tree never recurses.

struct DocNode {
  enum class Kind : uint8_t { kNull, kScalar, kSequence, kMapping };
  Kind kind = Kind::kNull;
  bool quoted = false;  // a quoted scalar is a string whatever its text
  int line = 0;         // 1-based
  std::string text;
  std::vector<uint32_t> items;  // sequence items, or mapping keys and values alternately
};

struct DocTree {
  std::vector<DocNode> nodes;
  std::vector<uint32_t> roots;  // one per document
};

// Thrown from inside the parser when the input exceeds a limit.
struct TooComplex {
  std::string why;
  int line;
};

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(DocTree* tree, const DocumentLimits& limits) : tree_(tree), limits_(limits) {}

  size_t documents() const { return tree_->roots.size() + (in_document_ ? 1 : 0); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (tree_->roots.size() >= limits_.max_documents) {
      throw TooComplex{"more than " + std::to_string(limits_.max_documents) + " documents", mark.line + 1};
    }
    anchors_.clear();
    stack_.clear();
    in_document_ = true;
    root_ = kNone;
  }
  void OnDocumentEnd() override {
    if (root_ == kNone) root_ = Add(DocNode{}, YAML::Mark());
    tree_->roots.push_back(root_);
    in_document_ = false;
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    DocNode n;
    Attach(Add(std::move(n), mark), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Count(mark);
    auto it = anchors_.find(anchor);
    uint32_t index = it != anchors_.end() ? it->second : Add(DocNode{}, mark);
    Attach(index, 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
    DocNode n;
    n.quoted = tag == "!";
    // Plain `~`, `null`, `Null` and `NULL` are YAML nulls.
    if (!n.quoted && (value == "~" || value == "null" || value == "Null" || value == "NULL")) {
      n.kind = DocNode::Kind::kNull;
    } else {
      n.kind = DocNode::Kind::kScalar;
      n.text = value;
    }
    Attach(Add(std::move(n), mark), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(DocNode::Kind::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { stack_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(DocNode::Kind::kMapping, mark, anchor);
  }
  void OnMapEnd() override { stack_.pop_back(); }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  void Count(const YAML::Mark& mark) {
    if (++events_ > limits_.max_nodes) {
      throw TooComplex{"more than " + std::to_string(limits_.max_nodes) + " YAML nodes", mark.line + 1};
    }
  }
  uint32_t Add(DocNode n, const YAML::Mark& mark) {
    Count(mark);
    n.line = mark.line + 1;
    tree_->nodes.push_back(std::move(n));
    return static_cast<uint32_t>(tree_->nodes.size() - 1);
  }
  void Attach(uint32_t index, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = index;
    if (stack_.empty()) {
      root_ = index;
    } else {
      tree_->nodes[stack_.back()].items.push_back(index);
    }
  }
  void Open(DocNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      throw TooComplex{"nesting deeper than " + std::to_string(limits_.max_depth) + " levels", mark.line + 1};
    }
    DocNode n;
    n.kind = kind;
    uint32_t index = Add(std::move(n), mark);
    Attach(index, anchor);
    stack_.push_back(index);
  }

  DocTree* tree_;
  const DocumentLimits& limits_;
  std::unordered_map<YAML::anchor_t, uint32_t> anchors_;
  std::vector<uint32_t> stack_;
  uint32_t root_ = kNone;
  bool in_document_ = false;
  size_t events_ = 0;
};

// ------------------------------------------------------------------ scalar semantics

// Booleans as Kubernetes reads them (YAML 1.1 through go-yaml), which is a superset of YAML 1.2's:
// a rule must not be bypassed by writing `privileged: yes`.
std::optional<bool> AsBool(const std::string& s) {
  static const char* const kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON"};
  static const char* const kFalse[] = {"false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF"};
  for (const char* t : kTrue) {
    if (s == t) return true;
  }
  for (const char* f : kFalse) {
    if (s == f) return false;
  }
  return std::nullopt;
}

std::optional<double> AsNumber(const std::string& s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || std::isnan(d)) return std::nullopt;
  return d;
}

// Equality as a YAML reader sees it: plain booleans and numbers compare by value
// (`True` equals `true`, `1.0` equals `1`); anything quoted compares as text.
bool ScalarEquals(const DocNode& n, const RuleScalar& e) {
  if (n.kind != DocNode::Kind::kScalar) return false;
  if (n.text == e.text) return true;
  if (n.quoted || e.quoted) return false;
  auto bn = AsBool(n.text), be = AsBool(e.text);
  if (bn && be) return *bn == *be;
  auto dn = AsNumber(n.text), de = AsNumber(e.text);
  return dn && de && *dn == *de;
}

std::string Shorten(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  return s.substr(0, max) + "...";
}

std::string Render(const DocNode& n) {
  switch (n.kind) {
    case DocNode::Kind::kNull:
      return "null";
    case DocNode::Kind::kScalar:
      return n.text;
    case DocNode::Kind::kSequence:
      return "<sequence>";
    case DocNode::Kind::kMapping:
      return "<mapping>";
  }
  return "";
}

std::string Quoted(const DocNode& n) {
  return n.kind == DocNode::Kind::kScalar ? "\"" + Shorten(n.text, 120) + "\"" : Render(n);
}

std::string ListText(const std::vector<RuleScalar>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + values[i].text;
  return out + "]";
}

// ------------------------------------------------------------------ selection

constexpr uint32_t kMissing = UINT32_MAX;

// One selected location: a node, or a missing value below `anchor`.
struct Selected {
  std::string path;  // concrete selector
  uint32_t node = kMissing;
  uint32_t anchor = 0;  // deepest existing node on the way, for the line of a missing value
};

class Selection {
 public:
  Selection(const DocTree& tree, const DocumentLimits& limits, size_t* steps) : tree_(tree), limits_(limits), steps_(steps) {}

  std::vector<Selected> Select(uint32_t root, const Selector& selector) {
    std::vector<Selected> current{Selected{"", root, root}};
    for (size_t s = 0; s < selector.steps.size(); ++s) {
      const SelectorStep& step = selector.steps[s];
      std::vector<Selected> next;
      for (Selected& cur : current) {
        if (cur.node == kMissing) {
          cur.path += StepText(step, s == 0);
          Push(&next, std::move(cur));
          continue;
        }
        const DocNode& n = tree_.nodes[cur.node];
        bool found = false;
        if (step.kind == SelectorStep::Kind::kKey && n.kind == DocNode::Kind::kMapping) {
          // Every value of a repeated key is checked: readers disagree on which one wins.
          for (const auto& [k, v] : Entries(cur.node)) {
            const DocNode& key = tree_.nodes[k];
            if (key.kind == DocNode::Kind::kScalar && key.text == step.key) {
              Push(&next, Selected{cur.path + StepText(step, s == 0), v, v});
              found = true;
            }
          }
        } else if (step.kind == SelectorStep::Kind::kIndex && n.kind == DocNode::Kind::kSequence) {
          int64_t size = static_cast<int64_t>(n.items.size());
          int64_t i = step.index < 0 ? size + step.index : step.index;
          if (i >= 0 && i < size) {
            Push(&next, Selected{cur.path + "[" + std::to_string(i) + "]", n.items[i], n.items[i]});
            found = true;
          }
        } else if (step.kind == SelectorStep::Kind::kAll &&
                   (n.kind == DocNode::Kind::kSequence || n.kind == DocNode::Kind::kMapping)) {
          // An empty list or mapping selects nothing; only a missing one is reported as missing.
          found = true;
          if (n.kind == DocNode::Kind::kSequence) {
            for (size_t i = 0; i < n.items.size(); ++i) {
              Push(&next, Selected{cur.path + "[" + std::to_string(i) + "]", n.items[i], n.items[i]});
            }
          } else {
            for (const auto& [k, v] : Entries(cur.node)) {
              SelectorStep as_key{SelectorStep::Kind::kKey, Render(tree_.nodes[k]), 0};
              Push(&next, Selected{cur.path + StepText(as_key, cur.path.empty()), v, v});
            }
          }
        }
        if (!found) Push(&next, Selected{cur.path + StepText(step, s == 0), kMissing, cur.node});
      }
      current = std::move(next);
    }
    return current;
  }

 private:
  using Entry = std::pair<uint32_t, uint32_t>;  // key node, value node

  // The key/value pairs of a mapping as a YAML 1.1 reader (and Kubernetes) sees them: its own
  // pairs, then those merged in by `<<` keys that it does not define itself (see MergeInto).
  std::vector<Entry> Entries(uint32_t map) {
    const DocNode& n = tree_.nodes[map];
    std::vector<Entry> out;
    bool merges = false;
    for (size_t i = 0; i + 1 < n.items.size(); i += 2) {
      if (IsMergeKey(tree_.nodes[n.items[i]])) {
        merges = true;
      } else {
        out.emplace_back(n.items[i], n.items[i + 1]);
      }
    }
    if (merges) {
      std::vector<uint32_t> open{map};
      out.clear();
      MergeInto(map, &out, &open);
    }
    return out;
  }

  static bool IsMergeKey(const DocNode& key) {
    return key.kind == DocNode::Kind::kScalar && !key.quoted && key.text == "<<";
  }

  // Appends the effective pairs of `map` to out. The merge-key rules
  // (https://yaml.org/type/merge.html): the value of `<<` is a mapping or a list of mappings
  // (aliases included); a key the mapping writes itself wins over a merged one, and of the
  // merged mappings an earlier one wins over a later one; merged mappings may merge in turn.
  // Anything else under `<<` merges nothing. `open` holds the mappings being expanded, so a
  // mapping that merges itself through an alias adds nothing again. Bounded like selection:
  // every pair counts as a step, and merges nest at most max_depth deep.
  void MergeInto(uint32_t map, std::vector<Entry>* out, std::vector<uint32_t>* open) {
    const DocNode& n = tree_.nodes[map];
    const size_t begin = out->size();
    std::vector<uint32_t> sources;
    for (size_t i = 0; i + 1 < n.items.size(); i += 2) {
      if (IsMergeKey(tree_.nodes[n.items[i]])) {
        const DocNode& value = tree_.nodes[n.items[i + 1]];
        if (value.kind == DocNode::Kind::kMapping) {
          sources.push_back(n.items[i + 1]);
        } else if (value.kind == DocNode::Kind::kSequence) {
          for (uint32_t item : value.items) {
            if (tree_.nodes[item].kind == DocNode::Kind::kMapping) sources.push_back(item);
          }
        }
        continue;
      }
      Step(n.items[i]);
      out->emplace_back(n.items[i], n.items[i + 1]);
    }
    if (sources.empty()) return;
    std::unordered_set<std::string> defined;
    for (size_t i = begin; i < out->size(); ++i) {
      const DocNode& key = tree_.nodes[(*out)[i].first];
      if (key.kind == DocNode::Kind::kScalar) defined.insert(key.text);
    }
    if (static_cast<int>(open->size()) >= limits_.max_depth) {
      throw TooComplex{"merge keys nested deeper than " + std::to_string(limits_.max_depth) + " levels", n.line};
    }
    for (uint32_t source : sources) {
      if (std::find(open->begin(), open->end(), source) != open->end()) continue;
      std::vector<Entry> merged;
      open->push_back(source);
      MergeInto(source, &merged, open);
      open->pop_back();
      std::vector<std::string> added;
      for (const Entry& e : merged) {
        const DocNode& key = tree_.nodes[e.first];
        if (key.kind == DocNode::Kind::kScalar) {
          if (defined.count(key.text) > 0) continue;
          added.push_back(key.text);
        }
        Step(e.first);
        out->push_back(e);
      }
      defined.insert(added.begin(), added.end());  // a repeated key within one source keeps every value
    }
  }

  void Step(uint32_t node) {
    if (++*steps_ > limits_.max_steps) {
      throw TooComplex{"selecting more than " + std::to_string(limits_.max_steps) + " values", tree_.nodes[node].line};
    }
  }

  void Push(std::vector<Selected>* out, Selected s) {
    if (++*steps_ > limits_.max_steps) {
      throw TooComplex{"selecting more than " + std::to_string(limits_.max_steps) + " values",
                       tree_.nodes[s.node == kMissing ? s.anchor : s.node].line};
    }
    out->push_back(std::move(s));
  }

  const DocTree& tree_;
  const DocumentLimits& limits_;
  size_t* steps_;
};

// The first assertion `n` breaks, described; empty when all hold.
std::string Check(const DocumentAssertions& a, const DocNode* n) {
  bool present = n != nullptr && n->kind != DocNode::Kind::kNull;
  if (!present) return a.exists.value_or(false) ? "is absent" : "";
  if (a.exists.has_value() && !*a.exists) return "is present (" + Quoted(*n) + ")";
  if (a.equals && !ScalarEquals(*n, *a.equals)) return "is " + Quoted(*n) + ", expected " + a.equals->text;
  if (a.not_equals && ScalarEquals(*n, *a.not_equals)) return "is " + Quoted(*n) + ", which is not allowed";
  if (a.in && std::none_of(a.in->begin(), a.in->end(), [&](const RuleScalar& v) { return ScalarEquals(*n, v); })) {
    return "is " + Quoted(*n) + ", not one of " + ListText(*a.in);
  }
  if (a.not_in && std::any_of(a.not_in->begin(), a.not_in->end(), [&](const RuleScalar& v) { return ScalarEquals(*n, v); })) {
    return "is " + Quoted(*n) + ", one of the forbidden " + ListText(*a.not_in);
  }
  bool scalar = n->kind == DocNode::Kind::kScalar;
  if (a.matches_re && !(scalar && RE2::PartialMatch(n->text, *a.matches_re))) {
    return "is " + Quoted(*n) + ", which does not match /" + a.matches + "/";
  }
  if (a.not_matches_re && scalar && RE2::PartialMatch(n->text, *a.not_matches_re)) {
    return "is " + Quoted(*n) + ", which matches /" + a.not_matches + "/";
  }
  if (a.max || a.min) {
    std::optional<double> v = scalar ? ParseQuantity(n->text) : std::nullopt;
    if (!v) return "is " + Quoted(*n) + ", not a number or quantity";
    if (a.max && *v > *a.max) return "is " + Quoted(*n) + ", above the maximum " + a.max_text;
    if (a.min && *v < *a.min) return "is " + Quoted(*n) + ", below the minimum " + a.min_text;
  }
  return "";
}

// True when every `match` condition holds for the document.
bool Applies(const DocumentRule& rule, Selection& selection, const DocTree& tree, uint32_t root) {
  for (const DocumentCondition& c : rule.conditions) {
    bool ok = false;
    for (const Selected& s : selection.Select(root, c.selector)) {
      if (s.node == kMissing) continue;
      const DocNode& n = tree.nodes[s.node];
      ok = ok || std::any_of(c.values.begin(), c.values.end(), [&](const RuleScalar& v) { return ScalarEquals(n, v); });
    }
    if (!ok) return false;
  }
  return true;
}

std::vector<DocumentViolation> WholeFile(const std::vector<DocumentRule>& rules, int line, int document,
                                         const std::string& message) {
  std::vector<DocumentViolation> out;
  for (const DocumentRule& rule : rules) {
    DocumentViolation v;
    v.rule_id = rule.id;
    v.line = line;
    v.document_index = document;
    v.message = message;
    out.push_back(std::move(v));
  }
  return out;
}

// ------------------------------------------------------------------ rule parsing

class RuleReader {
 public:
  explicit RuleReader(std::string_view file) : file_(file) {}

  Status Error(const YAML::Node& at, const std::string& key, const std::string& what) const {
    int line = at.IsDefined() && !at.Mark().is_null() ? at.Mark().line + 1 : 0;
    return Status::InvalidArgument(file_ + ":" + (line > 0 ? std::to_string(line) : "?") + ": " + key + ": " + what);
  }

  Result<RuleScalar> Scalar(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) return Error(n, key, "expected a scalar");
    return RuleScalar{n.Scalar(), n.Tag() == "!"};
  }

  Result<std::vector<RuleScalar>> Scalars(const YAML::Node& n, const std::string& key) const {
    std::vector<RuleScalar> out;
    if (n.IsScalar()) {
      out.push_back(RuleScalar{n.Scalar(), n.Tag() == "!"});
      return out;
    }
    if (!n.IsSequence() || n.size() == 0) return Error(n, key, "expected a scalar or a non-empty list of scalars");
    for (size_t i = 0; i < n.size(); ++i) {
      auto s = Scalar(n[i], key + "[" + std::to_string(i) + "]");
      if (!s.ok()) return s.status();
      out.push_back(std::move(*s));
    }
    return out;
  }

  Result<bool> Bool(const YAML::Node& n, const std::string& key) const {
    std::optional<bool> b = n.IsScalar() && n.Tag() != "!" ? AsBool(n.Scalar()) : std::nullopt;
    if (!b) return Error(n, key, "expected true or false");
    return *b;
  }

  Status Regex(const YAML::Node& n, const std::string& key, std::string* text, std::shared_ptr<const re2::RE2>* re) const {
    if (!n.IsScalar()) return Error(n, key, "expected a regular expression");
    *text = n.Scalar();
    auto compiled = std::make_shared<const RE2>(*text, RE2::Quiet);
    if (!compiled->ok()) return Error(n, key, "invalid regular expression: " + compiled->error());
    *re = std::move(compiled);
    return Status::Ok();
  }

  Status Quantity(const YAML::Node& n, const std::string& key, std::string* text, std::optional<double>* value) const {
    std::optional<double> v = n.IsScalar() ? ParseQuantity(n.Scalar()) : std::nullopt;
    if (!v) return Error(n, key, "expected a number or a quantity such as 500m or 2Gi");
    *text = n.Scalar();
    *value = v;
    return Status::Ok();
  }

 private:
  std::string file_;
};

Status ReadAssertions(const RuleReader& r, const YAML::Node& n, DocumentAssertions* a) {
  if (!n.IsMap() || n.size() == 0) return r.Error(n, "assert", "expected a mapping with at least one assertion");
  static const char* const kKnown[] = {"exists", "absent", "equals", "not_equals", "in", "not_in",
                                       "matches", "not_matches", "max", "min"};
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string name = it->first.Scalar();
    const std::string key = "assert." + name;
    const YAML::Node v = it->second;  // a copy: the iterator yields temporaries
    if (std::find(std::begin(kKnown), std::end(kKnown), name) == std::end(kKnown)) {
      return r.Error(it->first, key,
                     "unknown assertion (known: exists, absent, equals, not_equals, in, not_in, matches, "
                     "not_matches, max, min)");
    }
    if (name == "exists" || name == "absent") {
      auto b = r.Bool(v, key);
      if (!b.ok()) return b.status();
      bool exists = name == "exists" ? *b : !*b;
      if (a->exists && *a->exists != exists) return r.Error(v, key, "contradicts the other existence assertion");
      a->exists = exists;
    } else if (name == "equals" || name == "not_equals") {
      auto s = r.Scalar(v, key);
      if (!s.ok()) return s.status();
      (name == "equals" ? a->equals : a->not_equals) = std::move(*s);
    } else if (name == "in" || name == "not_in") {
      auto list = r.Scalars(v, key);
      if (!list.ok()) return list.status();
      (name == "in" ? a->in : a->not_in) = std::move(*list);
    } else if (name == "matches") {
      PG_RETURN_IF_ERROR(r.Regex(v, key, &a->matches, &a->matches_re));
    } else if (name == "not_matches") {
      PG_RETURN_IF_ERROR(r.Regex(v, key, &a->not_matches, &a->not_matches_re));
    } else if (name == "max") {
      PG_RETURN_IF_ERROR(r.Quantity(v, key, &a->max_text, &a->max));
    } else {
      PG_RETURN_IF_ERROR(r.Quantity(v, key, &a->min_text, &a->min));
    }
  }
  if (a->exists == false && (a->equals || a->not_equals || a->in || a->not_in || a->matches_re ||
                             a->not_matches_re || a->max || a->min)) {
    return r.Error(n, "assert", "a value that must be absent cannot be checked further");
  }
  return Status::Ok();
}

Result<DocumentRule> ReadRule(const YAML::Node& node, std::string_view file_name) {
  RuleReader r(file_name);
  if (!node.IsMap()) return r.Error(node, "document rule", "expected a mapping");
  static const char* const kKnown[] = {"id", "paths", "match", "select", "assert", "message"};
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string name = it->first.Scalar();
    if (std::find(std::begin(kKnown), std::end(kKnown), name) == std::end(kKnown)) {
      return r.Error(it->first, name, "unknown key (known keys: id, paths, match, select, assert, message)");
    }
  }
  DocumentRule rule;
  rule.line = node.Mark().line + 1;

  const YAML::Node id = node["id"];
  if (!id) return r.Error(node, "id", "a rule id is required");
  if (!id.IsScalar() || id.Scalar().empty() ||
      !std::all_of(id.Scalar().begin(), id.Scalar().end(), [](char c) { return IsBareKeyChar(c) || c == '.'; })) {
    return r.Error(id, "id", "expected a name of letters, digits, '.', '_' and '-'");
  }
  rule.id = id.Scalar();

  const YAML::Node paths = node["paths"];
  if (!paths) return r.Error(node, "paths", "at least one path glob is required");
  auto path_list = r.Scalars(paths, "paths");
  if (!path_list.ok()) return path_list.status();
  for (auto& p : *path_list) rule.paths.push_back(std::move(p.text));

  if (const YAML::Node match = node["match"]) {
    if (!match.IsMap()) return r.Error(match, "match", "expected a mapping of field to accepted values");
    for (auto it = match.begin(); it != match.end(); ++it) {
      const std::string field = it->first.Scalar();
      const std::string key = "match." + field;
      auto selector = ParseSelector(field);
      if (!selector.ok()) return r.Error(it->first, key, selector.status().message());
      auto values = r.Scalars(it->second, key);
      if (!values.ok()) return values.status();
      std::vector<std::string>& texts = rule.match[field];
      for (const auto& v : *values) texts.push_back(v.text);
      rule.conditions.push_back(DocumentCondition{std::move(*selector), std::move(*values)});
    }
  }

  const YAML::Node select = node["select"];
  if (!select) return r.Error(node, "select", "a selector is required");
  if (!select.IsScalar()) return r.Error(select, "select", "expected a selector such as spec.containers[*].image");
  auto selector = ParseSelector(select.Scalar());
  if (!selector.ok()) return r.Error(select, "select", selector.status().message());
  rule.select = select.Scalar();
  rule.selector = std::move(*selector);

  const YAML::Node assertions = node["assert"];
  if (!assertions) return r.Error(node, "assert", "at least one assertion is required");
  PG_RETURN_IF_ERROR(ReadAssertions(r, assertions, &rule.assertions));

  if (const YAML::Node message = node["message"]) {
    if (!message.IsScalar()) return r.Error(message, "message", "expected a string");
    rule.message = message.Scalar();
  }
  return rule;
}

}  // namespace

Result<Selector> ParseSelector(std::string_view text) {
  Selector sel;
  sel.text = std::string(text);
  if (text.empty()) return Status::InvalidArgument("empty selector");
  size_t i = 0;
  bool expect_key = true;  // at the start or after '.'
  while (i < text.size()) {
    char c = text[i];
    if (c == '[') {
      size_t close;
      SelectorStep step;
      if (i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\'')) {
        char q = text[i + 1];
        size_t j = i + 2;
        std::string key;
        while (j < text.size() && text[j] != q) {
          if (q == '"' && text[j] == '\\' && j + 1 < text.size()) ++j;
          key += text[j++];
        }
        if (j + 1 >= text.size() || text[j + 1] != ']') {
          return Status::InvalidArgument("unterminated quoted key at offset " + std::to_string(i));
        }
        step.kind = SelectorStep::Kind::kKey;
        step.key = std::move(key);
        close = j + 1;
      } else {
        close = text.find(']', i);
        if (close == std::string_view::npos) return Status::InvalidArgument("unterminated '[' at offset " + std::to_string(i));
        std::string_view inside = text.substr(i + 1, close - i - 1);
        if (inside == "*") {
          step.kind = SelectorStep::Kind::kAll;
        } else {
          std::string_view digits = inside;
          if (!digits.empty() && digits[0] == '-') digits.remove_prefix(1);
          if (digits.empty() || digits.size() > 9 ||
              !std::all_of(digits.begin(), digits.end(), [](char d) { return std::isdigit(static_cast<unsigned char>(d)); })) {
            return Status::InvalidArgument("expected [*], [n] or [\"key\"], not [" + std::string(inside) + "]");
          }
          step.kind = SelectorStep::Kind::kIndex;
          step.index = std::stoll(std::string(inside));
        }
      }
      if (expect_key && !sel.steps.empty()) return Status::InvalidArgument("'.' must be followed by a key");
      sel.steps.push_back(std::move(step));
      i = close + 1;
      expect_key = false;
      if (i < text.size() && text[i] == '.') {
        expect_key = true;
        ++i;
        if (i == text.size()) return Status::InvalidArgument("selector ends with '.'");
      } else if (i < text.size() && text[i] != '[') {
        return Status::InvalidArgument("expected '.' or '[' after ']' at offset " + std::to_string(i));
      }
      continue;
    }
    if (!expect_key) return Status::InvalidArgument("expected '.' or '[' at offset " + std::to_string(i));
    size_t end = text.find_first_of(".[]", i);
    if (end == std::string_view::npos) end = text.size();
    if (end == i) return Status::InvalidArgument("empty key at offset " + std::to_string(i));
    if (text[end] == ']') return Status::InvalidArgument("unexpected ']' at offset " + std::to_string(end));
    sel.steps.push_back(SelectorStep{SelectorStep::Kind::kKey, std::string(text.substr(i, end - i)), 0});
    i = end;
    expect_key = false;
    if (i < text.size() && text[i] == '.') {
      expect_key = true;
      ++i;
      if (i == text.size()) return Status::InvalidArgument("selector ends with '.'");
    }
  }
  return sel;
}

std::string FormatSelector(const std::vector<SelectorStep>& steps) {
  std::string out;
  for (size_t i = 0; i < steps.size(); ++i) out += StepText(steps[i], i == 0);
  return out;
}

std::optional<double> ParseQuantity(std::string_view text) {
  std::string s(text);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  s = s.substr(start);
  // The number: optional sign, digits, optional fraction. No hex, no inf/nan.
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  double number = std::strtod(s.substr(0, i).c_str(), nullptr);
  std::string suffix = s.substr(i);
  static const std::pair<const char*, double> kSuffixes[] = {
      {"", 1},         {"n", 1e-9},     {"u", 1e-6},     {"m", 1e-3},     {"k", 1e3},
      {"M", 1e6},      {"G", 1e9},      {"T", 1e12},     {"P", 1e15},     {"E", 1e18},
      {"Ki", 1024.0},  {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}};
  for (const auto& [name, factor] : kSuffixes) {
    if (suffix == name) return number * factor;
  }
  // A decimal exponent: 1e3, 1E-2 (a lone E is the exa suffix, handled above).
  if ((suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1) {
    size_t j = 1;
    if (suffix[j] == '+' || suffix[j] == '-') ++j;
    if (j < suffix.size() && suffix.size() - j <= 4 &&
        std::all_of(suffix.begin() + j, suffix.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return std::strtod(s.c_str(), nullptr);
    }
  }
  return std::nullopt;
}

Result<DocumentRule> ParseDocumentRule(const YAML::Node& node, std::string_view file_name) {
  try {
    return ReadRule(node, file_name);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string(file_name) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

std::vector<DocumentViolation> EvaluateDocumentRules(const std::vector<DocumentRule>& rules, std::string_view path,
                                                     std::string_view content, const DocumentLimits& limits) {
  (void)path;  // matching paths is the caller's; the path is part of the caller's message
  if (rules.empty()) return {};
  if (content.size() > limits.max_bytes) {
    return WholeFile(rules, 1, 0,
                     "too complex: " + std::to_string(content.size()) + " bytes, more than the " +
                         std::to_string(limits.max_bytes) + " checked by document rules");
  }

  DocTree tree;
  {
    TreeBuilder builder(&tree, limits);
    try {
      std::istringstream in{std::string(content)};
      YAML::Parser parser(in);
      while (parser.HandleNextDocument(builder)) {
      }
    } catch (const TooComplex& e) {
      int document = std::max(0, static_cast<int>(builder.documents()) - 1);
      return WholeFile(rules, e.line, document, "too complex: " + e.why);
    } catch (const YAML::DeepRecursion& e) {
      return WholeFile(rules, e.mark.line + 1, static_cast<int>(tree.roots.size()), "too complex: nesting too deep");
    } catch (const YAML::Exception& e) {
      return WholeFile(rules, e.mark.line + 1, static_cast<int>(tree.roots.size()), "does not parse: " + e.msg);
    } catch (const std::bad_alloc&) {
      return WholeFile(rules, 1, 0, "too complex: out of memory while parsing");
    }
  }

  std::vector<DocumentViolation> out;
  for (const DocumentRule& rule : rules) {
    size_t steps = 0;
    Selection selection(tree, limits, &steps);
    std::vector<DocumentViolation> found;
    size_t d = 0;
    try {
      for (; d < tree.roots.size(); ++d) {
        uint32_t root = tree.roots[d];
        if (tree.nodes[root].kind == DocNode::Kind::kNull) continue;  // an empty document
        if (!Applies(rule, selection, tree, root)) continue;
        for (const Selected& s : selection.Select(root, rule.selector)) {
          const DocNode* n = s.node == kMissing ? nullptr : &tree.nodes[s.node];
          std::string broken = Check(rule.assertions, n);
          if (broken.empty()) continue;
          DocumentViolation v;
          v.rule_id = rule.id;
          v.line = tree.nodes[s.node == kMissing ? s.anchor : s.node].line;
          v.document_index = static_cast<int>(d);
          v.selector = s.path;
          v.value = n != nullptr && n->kind == DocNode::Kind::kScalar ? Shorten(n->text, 1024) : "";
          v.message = (rule.message.empty() ? "" : rule.message + ": ") + s.path + " " + broken;
          found.push_back(std::move(v));
        }
      }
    } catch (const TooComplex& e) {
      found = WholeFile({rule}, e.line, static_cast<int>(d), "too complex: " + e.why);
    }
    for (auto& v : found) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace pushgate
