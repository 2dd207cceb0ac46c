#include "scanner/scanner.h"

#include <sodium.h>

#include <array>

#include <re2/re2.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "config/glob.h"
#include "scanner/base64.h"
#include "scanner/cache_file.h"
#include "scanner/database_cache.h"
#include "scanner/pattern.h"
#include "scanner/rule_cache.h"

namespace pushgate::scanner {

namespace {

// How far before a Hyperscan match end the confirm looks for the match start, and how far past
// it the match may extend. Secrets are short; PEM blocks (multiline rules) are a few KiB.
constexpr size_t kWindow = 4096;
constexpr size_t kMultilineWindow = 64 * 1024;
constexpr size_t kKeywordLookBehind = 256;
// Inline markers are looked for on the match's lines, but no further than this from the match,
// so a single multi-megabyte line costs nothing per finding.
constexpr size_t kMarkerReach = 4096;
constexpr std::string_view kAllowMarker = "pushgate:allow";
// Bounds on hostile content: past this many confirmed matches in one text the scan stops (the
// findings already block the push), and base64 decoding has a per-run and a per-scan budget.
constexpr size_t kMaxMatchesPerText = 1000;
constexpr size_t kMinBase64Run = 24;
constexpr size_t kMaxBase64Run = 1 << 20;
constexpr size_t kMaxDecodedBytesPerScan = 16 << 20;
bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Finds runs of at least kMinBase64Run base64 characters (padding excluded) with a table-driven
// loop. This is not a Hyperscan expression on purpose: a pattern with no literal in it makes
// Hyperscan walk an automaton over every byte, which measured three times slower than the whole
// rule set together on source code.
std::vector<std::pair<size_t, size_t>> FindBase64Runs(std::string_view text) {
  static const auto kTable = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = IsBase64Char(static_cast<char>(c));
    return t;
  }();
  std::vector<std::pair<size_t, size_t>> runs;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Probe every kMinBase64Run-th byte: a run that long must cover one of the probes.
    if (!kTable[p[i]]) {
      i += kMinBase64Run;
      continue;
    }
    size_t start = i, end = i;
    while (start > 0 && kTable[p[start - 1]]) --start;
    while (end < n && kTable[p[end]]) ++end;
    if (end - start >= kMinBase64Run) runs.emplace_back(start, end);
    // text[end] is not base64, so the next long run starts after it and covers end + kMinBase64Run.
    i = end + kMinBase64Run;
  }
  return runs;
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ContainsLowered(std::string_view haystack, std::string_view lowered_needle) {
  if (lowered_needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + lowered_needle.size() <= haystack.size(); ++i) {
    if (LowerAscii(haystack[i]) != lowered_needle[0]) continue;
    size_t j = 1;
    while (j < lowered_needle.size() && LowerAscii(haystack[i + j]) == lowered_needle[j]) ++j;
    if (j == lowered_needle.size()) return true;
  }
  return false;
}

// True when the inline marker is on any line that text[start, end) spans.
bool HasAllowMarker(std::string_view text, size_t start, size_t end) {
  const size_t reach_from = start > kMarkerReach ? start - kMarkerReach : 0;
  size_t line_start = text.substr(reach_from, start - reach_from).rfind('\n');
  line_start = line_start == std::string_view::npos ? reach_from : reach_from + line_start + 1;
  const size_t reach_to = std::min(text.size(), end + kMarkerReach);
  size_t line_end = text.substr(end, reach_to - end).find('\n');
  line_end = line_end == std::string_view::npos ? reach_to : end + line_end;
  return text.substr(line_start, line_end - line_start).find(kAllowMarker) != std::string_view::npos;
}

re2::StringPiece Piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

}  // namespace

// The RE2 side of one rule, compiled on first use so a hook that loads a cached database does not
// pay for compiling regexes of rules that never fire.
struct Scanner::CompiledRule {
  std::once_flag once;
  std::unique_ptr<RE2> confirm;   // the pattern, with capture groups
  std::unique_ptr<RE2> anchored;  // `pattern\z`, no captures: finds the start of a match
  int secret_group = 0;           // 0: the whole match
  size_t window = kWindow;
  std::string error;              // why RE2 refused the pattern, if it did

  void Compile(const Rule& rule) {
    std::call_once(once, [&] {
      window = rule.multiline ? kMultilineWindow : kWindow;
      confirm = std::make_unique<RE2>(ConfirmExpression(rule), Re2Options(rule, true));
      anchored = std::make_unique<RE2>(AnchoredEndExpression(rule), Re2Options(rule, false));
      if (!confirm->ok() || !anchored->ok()) {
        error = rule.source + ":" + std::to_string(rule.source_line) + ": rule '" + rule.id +
                "': pattern: RE2 rejects it: " + (confirm->ok() ? anchored->error() : confirm->error());
        return;
      }
      const auto& named = confirm->NamedCapturingGroups();
      auto it = named.find("secret");
      if (it != named.end()) {
        secret_group = it->second;
      } else if (confirm->NumberOfCapturingGroups() >= 1) {
        secret_group = 1;
      }
    });
  }
};

// A secret that passed every check, at a byte offset of the scanned text.
struct Scanner::Finding {
  size_t offset = 0;  // where the finding is reported: the match, or the encoded run it came from
  unsigned rule = 0;  // index into rules_.rules
  size_t secret_start = 0, secret_end = 0;  // in the text scanned (the decoded text when in_decoded)
  SecretMatch match;
};

// Per-call state of one hs_scan.
struct Scanner::ScanState {
  std::string_view text;
  bool decoded = false;
  std::vector<size_t> covered_until;  // per rule: end of the last confirmed match
  struct Raw {
    unsigned rule;
    size_t start, end;                 // the whole match
    size_t secret_start, secret_end;   // the secret group
  };
  std::vector<Raw> raw;
  std::string error;
};

// Hyperscan scratch spaces, one per concurrent scan: cloned from a prototype on demand and kept
// for reuse, so steady-state scans allocate nothing.
class Scanner::ScratchPool {
 public:
  explicit ScratchPool(HsScratch prototype) : prototype_(std::move(prototype)) {}

  Result<HsScratch> Acquire() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      HsScratch s = std::move(free_.back());
      free_.pop_back();
      return s;
    }
    hs_scratch_t* clone = nullptr;
    if (hs_clone_scratch(prototype_.get(), &clone) != HS_SUCCESS) {
      return Status::Internal("cannot allocate Hyperscan scratch space");
    }
    return HsScratch(clone);
  }

  void Release(HsScratch scratch) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(scratch));
  }

 private:
  std::mutex mu_;
  HsScratch prototype_;
  std::vector<HsScratch> free_;
};

Scanner::Scanner() = default;
Scanner::~Scanner() = default;

Result<std::unique_ptr<Scanner>> Scanner::Create(RuleSet rules, AllowList allow, const std::string& cache_dir) {
  std::unique_ptr<Scanner> s(new Scanner());
  s->rules_ = std::move(rules);

  auto globs = GlobSet::Compile(allow.paths);
  if (!globs.ok()) return globs.status().Prefixed("secrets.allow.paths");
  s->allow_paths_ = std::make_unique<GlobSet>(std::move(*globs));
  for (const auto& expr : allow.regexes) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_encoding(RE2::Options::EncodingLatin1);
    auto re = std::make_unique<RE2>(expr, opts);
    if (!re->ok()) return Status::InvalidArgument("secrets.allow.regexes: '" + expr + "': " + re->error());
    s->allow_regexes_.push_back(std::move(re));
  }
  for (const auto& word : allow.stopwords) {
    if (word.empty()) return Status::InvalidArgument("secrets.allow.stopwords: empty stopword");
    std::string lowered;
    for (char c : word) lowered += LowerAscii(c);
    s->allow_stopwords_.push_back(std::move(lowered));
  }

  std::vector<HsExpression> expressions;
  for (size_t i = 0; i < s->rules_.rules.size(); ++i) {
    const Rule& r = s->rules_.rules[i];
    expressions.push_back({r.pattern, HyperscanFlags(r), static_cast<unsigned>(i),
                           r.source + ":" + std::to_string(r.source_line) + ": rule '" + r.id + "'"});
    s->compiled_.push_back(std::make_unique<CompiledRule>());
  }

  auto loaded = LoadOrCompileDatabase(expressions, cache_dir);
  if (!loaded.ok()) return loaded.status();
  s->db_ = std::move(loaded->db);
  s->from_cache_ = loaded->from_cache;
  s->cache_warning_ = loaded->cache_warning;
  if (!s->from_cache_) {
    // A fresh compile means these patterns may never have been checked in RE2: check them now,
    // before a bad pattern can be cached. A cached database implies they passed before.
    for (size_t i = 0; i < s->compiled_.size(); ++i) {
      s->compiled_[i]->Compile(s->rules_.rules[i]);
      if (!s->compiled_[i]->error.empty()) return Status::InvalidArgument(s->compiled_[i]->error);
    }
  }

  hs_scratch_t* prototype = nullptr;
  if (hs_alloc_scratch(s->db_.get(), &prototype) != HS_SUCCESS) {
    return Status::Internal("cannot allocate Hyperscan scratch space");
  }
  s->scratch_ = std::make_unique<ScratchPool>(HsScratch(prototype));
  return s;
}

int Scanner::OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/,
                     void* ctx) {
  auto* state = static_cast<std::pair<const Scanner*, ScanState*>*>(ctx);
  const Scanner* self = state->first;
  ScanState* st = state->second;
  const size_t end = static_cast<size_t>(to);
  if (end <= st->covered_until[id]) return 0;  // inside a match of this rule already confirmed
  if (!self->Confirm(st, id, end)) return 1;   // stop: error or too many matches
  return 0;
}

bool Scanner::Confirm(ScanState* st, unsigned rule_index, size_t end) const {
  const Rule& rule = rules_.rules[rule_index];
  CompiledRule& cr = *compiled_[rule_index];
  cr.Compile(rule);
  if (!cr.error.empty()) {
    st->error = cr.error;
    return false;
  }
  const int ngroups = cr.secret_group + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(ngroups));
  // Records the match RE2 left in `groups` (offsets relative to st->text).
  auto record = [&]() {
    const size_t match_start = static_cast<size_t>(groups[0].data() - st->text.data());
    const size_t match_end = match_start + groups[0].size();
    const re2::StringPiece& g = groups[static_cast<size_t>(cr.secret_group)];
    if (g.data() != nullptr && !g.empty()) {
      const size_t secret_start = static_cast<size_t>(g.data() - st->text.data());
      st->raw.push_back({rule_index, match_start, match_end, secret_start, secret_start + g.size()});
    }
    return match_end;
  };
  const size_t window_start = end > cr.window ? end - cr.window : 0;
  // The match may run up to a window past the hit, so one confirm covers a long greedy match
  // that Hyperscan reports at every byte.
  const size_t limit = std::min(st->text.size(), end + cr.window);
  std::string_view upto_limit = st->text.substr(0, limit);

  // Step 1: the start. `pattern\z` over the window ending at the hit; RE2 runs it backwards from
  // the end, so the cost is the length of the match, not of the window.
  std::string_view before = st->text.substr(window_start, end - window_start);
  re2::StringPiece whole;
  if (cr.anchored->Match(Piece(before), 0, before.size(), RE2::UNANCHORED, &whole, 1)) {
    const size_t start = window_start + static_cast<size_t>(whole.data() - before.data());
    // Step 2: the groups, from the pattern anchored at that start.
    size_t covered = end;
    if (cr.confirm->Match(Piece(upto_limit), start, limit, RE2::ANCHOR_START, groups.data(), ngroups)) {
      covered = std::max(covered, record());
    } else {
      // RE2 disagrees about where the match may end; take the bounds step 1 found.
      std::string_view exact = st->text.substr(start, end - start);
      if (cr.confirm->Match(Piece(exact), 0, exact.size(), RE2::ANCHOR_BOTH, groups.data(), ngroups)) record();
    }
    st->covered_until[rule_index] = covered;
    return st->raw.size() < kMaxMatchesPerText;
  }

  // No match ending at the hit starts inside the window: the match is longer than the window (or
  // the engines disagree). Sweep forward over [window_start, limit) instead, reporting every match
  // that lies inside it, then skip hits up to limit: each sweep covers a window of new bytes, so a
  // hostile run costs linear time, and no match that fits in a window is missed.
  size_t pos = window_start;
  while (pos < limit && st->raw.size() < kMaxMatchesPerText) {
    if (!cr.confirm->Match(Piece(upto_limit), pos, limit, RE2::UNANCHORED, groups.data(), ngroups)) break;
    const size_t match_end = record();
    pos = std::max(match_end, pos + 1);
  }
  st->covered_until[rule_index] = limit;
  return st->raw.size() < kMaxMatchesPerText;
}

bool Scanner::Allowed(std::string_view secret) const {
  for (const auto& re : allow_regexes_) {
    if (RE2::PartialMatch(Piece(secret), *re)) return true;
  }
  for (const auto& word : allow_stopwords_) {
    if (ContainsLowered(secret, word)) return true;
  }
  return false;
}

bool Scanner::Keep(const ScanState& st, unsigned rule_index, size_t start, size_t end, std::string_view secret) const {
  const Rule& rule = rules_.rules[rule_index];
  if (rule.min_entropy > 0 && ShannonEntropy(secret) < rule.min_entropy) return false;
  if (!ValidTokenChecksum(rule.checksum, secret)) return false;
  if (!rule.keywords.empty()) {
    const size_t from = start > kKeywordLookBehind ? start - kKeywordLookBehind : 0;
    std::string_view context = st.text.substr(from, end - from);
    bool found = false;
    for (const auto& kw : rule.keywords) {
      if (ContainsLowered(context, kw)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  if (IsPlaceholder(secret) || Allowed(secret)) return false;

  return !HasAllowMarker(st.text, start, end);
}

Status Scanner::ScanText(std::string_view text, hs_scratch_t* scratch, bool decoded, std::vector<Finding>* out) const {
  if (text.size() > UINT_MAX) return Status::InvalidArgument("content larger than 4 GiB cannot be scanned");
  ScanState st;
  st.text = text;
  st.decoded = decoded;
  st.covered_until.assign(rules_.rules.size(), 0);
  std::pair<const Scanner*, ScanState*> ctx(this, &st);
  hs_error_t rc = hs_scan(db_.get(), text.data(), static_cast<unsigned>(text.size()), 0, scratch, &Scanner::OnMatch, &ctx);
  if (!st.error.empty()) return Status::InvalidArgument(st.error);
  if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
    return Status::Internal("Hyperscan scan failed with code " + std::to_string(rc));
  }

  // Overlapping matches of one rule are one finding: keep the longest.
  std::sort(st.raw.begin(), st.raw.end(), [](const ScanState::Raw& a, const ScanState::Raw& b) {
    if (a.rule != b.rule) return a.rule < b.rule;
    if (a.start != b.start) return a.start < b.start;
    return a.end > b.end;
  });
  std::vector<ScanState::Raw> unique;
  for (const auto& r : st.raw) {
    if (!unique.empty() && unique.back().rule == r.rule && r.start < unique.back().end) {
      if (r.end - r.start > unique.back().end - unique.back().start) unique.back() = r;
      continue;
    }
    unique.push_back(r);
  }

  for (const auto& r : unique) {
    std::string_view secret = text.substr(r.secret_start, r.secret_end - r.secret_start);
    if (!Keep(st, r.rule, r.start, r.end, secret)) continue;
    Finding f;
    f.offset = r.start;
    // A match that begins with the line break before it (a delimiter group) belongs to the next line.
    while (f.offset < r.secret_start && (text[f.offset] == '\n' || text[f.offset] == '\r')) ++f.offset;
    f.rule = r.rule;
    f.secret_start = r.secret_start;
    f.secret_end = r.secret_end;
    f.match.rule_id = rules_.rules[r.rule].id;
    f.match.rule_name = rules_.rules[r.rule].name;
    f.match.secret = std::string(secret);
    f.match.redacted = Redact(secret);
    f.match.in_decoded = decoded;
    out->push_back(std::move(f));
  }

  if (decoded) return Status::Ok();
  size_t decoded_budget = kMaxDecodedBytesPerScan;
  std::string plain;
  for (const auto& run : FindBase64Runs(text)) {
    const size_t start = run.first;
    size_t end = run.second;
    while (end < text.size() && end - run.second < 2 && text[end] == '=') ++end;  // padding
    const size_t length = run.second - start;
    if (length < kMinBase64Run || length > kMaxBase64Run || length > decoded_budget) continue;
    if (IsNonTextDataUri(text, start)) continue;
    if (!DecodeBase64(text.substr(start, end - start), &plain) || !LooksLikeText(plain)) continue;
    decoded_budget -= length;
    std::vector<Finding> inner;
    PG_RETURN_IF_ERROR(ScanText(plain, scratch, true, &inner));
    if (HasAllowMarker(text, start, end)) continue;  // the encoded line may carry the marker too
    for (auto& f : inner) {
      f.offset = start;
      out->push_back(std::move(f));
    }
  }
  return Status::Ok();
}

std::string Scanner::VerdictKey() const {
  std::string text = std::string("pushgate-verdict v1\n") + PUSHGATE_VERSION_STRING + "\n" + EncodeRuleSet(rules_);
  for (const auto& re : allow_regexes_) text += "\nregex " + re->pattern();
  for (const auto& word : allow_stopwords_) text += "\nstopword " + word;
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  return HexBytes(digest, sizeof digest);
}

bool Scanner::PathAllowed(std::string_view path) const {
  return !path.empty() && allow_paths_ && allow_paths_->Matches(path);
}

Status Scanner::Scan(std::string_view content, std::string_view path, std::vector<SecretMatch>* out) const {
  if (PathAllowed(path)) return Status::Ok();
  if (Classify(content) != ContentKind::kText) return Status::Ok();
  std::string transcoded;
  if (HasUtf16Bom(content)) {
    transcoded = Utf16ToUtf8(content);
    content = transcoded;
  }

  auto scratch = scratch_->Acquire();
  if (!scratch.ok()) return scratch.status();
  std::vector<Finding> findings;
  Status status = ScanText(content, scratch->get(), false, &findings);
  scratch_->Release(std::move(*scratch));
  PG_RETURN_IF_ERROR(status);

  // Line and column numbers, counted once over the text up to the last finding only.
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
  size_t line = 1, line_start = 0, pos = 0;
  for (auto& f : findings) {
    while (pos < f.offset) {
      const void* nl = memchr(content.data() + pos, '\n', f.offset - pos);
      if (!nl) {
        pos = f.offset;
        break;
      }
      pos = static_cast<size_t>(static_cast<const char*>(nl) - content.data()) + 1;
      ++line;
      line_start = pos;
    }
    f.match.line = line;
    f.match.column = f.offset - line_start + 1;
  }
  // One secret, one finding: a match of a secret that a more specific rule also found on the same
  // line says nothing more and is dropped (high-confidence provider rules over keyword rules over
  // the generic-* rules).
  auto specificity = [&](const Finding& f) {
    const Rule& r = rules_.rules[f.rule];
    if (r.id.rfind("generic-", 0) == 0) return 0;
    return r.confidence == "high" ? 2 : 1;
  };
  auto shadowed = [&](const Finding& f) {
    for (const auto& g : findings) {
      if (&g == &f || g.match.in_decoded != f.match.in_decoded || specificity(g) <= specificity(f)) continue;
      // Both in the same text (the same encoded run, for decoded findings) and overlapping there.
      if (f.match.in_decoded && g.offset != f.offset) continue;
      if (g.secret_start < f.secret_end && f.secret_start < g.secret_end) return true;
    }
    return false;
  };
  for (auto& f : findings) {
    if (!shadowed(f)) out->push_back(f.match);
  }
  return Status::Ok();
}

}  // namespace pushgate::scanner
