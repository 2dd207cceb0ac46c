#include "config/codeowners.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <unordered_map>
#include <utility>

#include "base/lines.h"

namespace pushgate {

namespace {

// A regular expression that matches nothing: the translation of a pattern that can never match
// (GitLab reads an unterminated `[` that way).
constexpr char kNeverMatches[] = "[^\\x00-\\x{10FFFF}]";

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitBlank(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsBlank(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !IsBlank(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// Characters GitHub and GitLab accept in user, organisation, team and group names.
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }

bool IsName(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsNameChar); }

bool IsEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) return false;
  std::string_view domain = s.substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == 0 || dot == std::string_view::npos || domain.back() == '.') return false;
  return std::none_of(s.begin(), s.end(), [](char c) { return IsBlank(c) || c == '<' || c == '>' || c == ','; });
}

// True when `token` is an owner the dialect understands.
bool IsValidOwner(std::string_view token, CodeownersDialect dialect) {
  if (IsEmail(token)) return true;
  if (token.size() < 2 || token[0] != '@') return false;
  if (dialect == CodeownersDialect::kGitLab && token[1] == '@') {
    std::string_view role = token.substr(2);
    return !role.empty() && std::all_of(role.begin(), role.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
  }
  std::string_view name = token.substr(1);
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return IsName(name);
  if (dialect == CodeownersDialect::kGitHub) return IsName(name.substr(0, slash)) && IsName(name.substr(slash + 1));
  // GitLab: @group/subgroup/... at any depth.
  size_t start = 0;
  while (true) {
    size_t end = name.find('/', start);
    if (!IsName(name.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start))) return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

// Appends `literal` to `re`, escaped.
void AppendLiteral(std::string* re, std::string_view literal) { *re += RE2::QuoteMeta(re2::StringPiece(literal.data(), literal.size())); }

// Decodes one UTF-8 sequence at s[*i] (advancing *i); invalid bytes decode as themselves.
uint32_t DecodeUtf8(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (extra == 0 || *i + extra >= s.size()) {
    ++*i;
    return c;
  }
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc & 0xC0) != 0x80) {
      ++*i;
      return c;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  *i += extra + 1;
  return cp;
}

std::string ClassCodepoint(uint32_t cp) {
  char buf[16];
  snprintf(buf, sizeof(buf), "\\x{%X}", cp);
  return buf;
}

// Translates a Ruby fnmatch bracket expression starting after `[` at p[*i]. Returns false when
// the bracket is not terminated. Under FNM_PATHNAME a bracket never matches `/`.
bool TranslateBracket(std::string_view p, size_t* i, std::string* re) {
  size_t j = *i;
  bool negated = false;
  if (j < p.size() && (p[j] == '!' || p[j] == '^')) {
    negated = true;
    ++j;
  }
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  while (true) {
    if (j >= p.size()) return false;
    if (p[j] == ']') break;
    if (p[j] == '\\' && j + 1 < p.size()) ++j;
    uint32_t lo = DecodeUtf8(p, &j);
    uint32_t hi = lo;
    if (j + 1 < p.size() && p[j] == '-' && p[j + 1] != ']') {
      ++j;
      if (p[j] == '\\' && j + 1 < p.size()) ++j;
      hi = DecodeUtf8(p, &j);
    }
    if (lo <= hi) ranges.emplace_back(lo, hi);
  }
  *i = j + 1;  // past `]`
  std::string cls;
  if (negated) {
    cls = "[^/";
    for (auto [lo, hi] : ranges) cls += ClassCodepoint(lo) + "-" + ClassCodepoint(hi);
    cls += "]";
  } else {
    // Remove `/` from every range: RE2 has no class subtraction.
    std::vector<std::pair<uint32_t, uint32_t>> kept;
    for (auto [lo, hi] : ranges) {
      if (lo <= '/' && '/' <= hi) {
        if (lo < '/') kept.emplace_back(lo, '/' - 1);
        if (hi > '/') kept.emplace_back('/' + 1, hi);
      } else {
        kept.emplace_back(lo, hi);
      }
    }
    if (kept.empty()) {
      cls = kNeverMatches;
    } else {
      cls = "[";
      for (auto [lo, hi] : kept) cls += ClassCodepoint(lo) + "-" + ClassCodepoint(hi);
      cls += "]";
    }
  }
  *re += cls;
  return true;
}

// GitLab's own pattern normalisation (ee/lib/gitlab/code_owners/file.rb, normalize_pattern).
std::string NormalizeGitLabPattern(std::string_view raw) {
  std::string p;
  if (raw.size() >= 2 && raw[0] == '\\' && raw[1] == '#') raw.remove_prefix(1);
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size() && IsBlank(raw[i + 1])) {
      while (i + 1 < raw.size() && IsBlank(raw[i + 1])) ++i;
      p += ' ';
    } else {
      p += raw[i];
    }
  }
  if (p == "*") return "/**/*";
  if (p.empty() || p[0] != '/') p = "/**/" + p;
  if (p.back() == '/') p += "**/*";
  return p;
}

// Ruby File.fnmatch with FNM_PATHNAME | FNM_DOTMATCH: `**/` at the start of a segment matches
// zero or more whole segments; elsewhere `*` and `?` stay within a segment; `\` escapes.
Result<std::string> GitLabPatternToRegex(std::string_view raw) {
  std::string p = NormalizeGitLabPattern(raw);
  std::string re = "^";
  std::string literal;
  auto flush = [&] {
    AppendLiteral(&re, literal);
    literal.clear();
  };
  bool segment_start = true;
  size_t i = 0;
  while (i < p.size()) {
    if (segment_start && p.compare(i, 3, "**/") == 0) {
      flush();
      while (p.compare(i, 3, "**/") == 0) i += 3;
      re += "(?:[^/]*/)*";
      continue;
    }
    char c = p[i];
    segment_start = false;
    if (c == '*') {
      flush();
      while (i < p.size() && p[i] == '*') ++i;
      re += "[^/]*";
    } else if (c == '?') {
      flush();
      re += "[^/]";
      ++i;
    } else if (c == '[') {
      flush();
      size_t j = i + 1;
      if (!TranslateBracket(p, &j, &re)) {
        return Status::InvalidArgument("unterminated '[' in pattern: it matches nothing");
      }
      i = j;
    } else if (c == '\\' && i + 1 < p.size()) {
      literal += p[i + 1];
      i += 2;
    } else {
      literal += c;
      if (c == '/') segment_start = true;
      ++i;
    }
  }
  flush();
  re += "$";
  return re;
}

// gitignore rules as GitHub applies them to CODEOWNERS (see the header).
Result<std::string> GitHubPatternToRegex(std::string_view p) {
  if (!p.empty() && p[0] == '!') return Status::InvalidArgument("negation with '!' is not supported by GitHub");
  if (p.find_first_of("[]") != std::string_view::npos) {
    return Status::InvalidArgument("character ranges with '[ ]' are not supported by GitHub");
  }
  if (p.size() >= 2 && p[0] == '\\' && p[1] == '#') {
    return Status::InvalidArgument("escaping a leading '#' is not supported by GitHub");
  }
  bool dir_only = false;
  if (p.size() > 1 && p.back() == '/' && p[p.size() - 2] != '\\') {
    dir_only = true;
    p.remove_suffix(1);
  }
  bool anchored = p.find('/') != std::string_view::npos;
  if (!p.empty() && p[0] == '/') p.remove_prefix(1);
  if (p.empty()) return Status::InvalidArgument("empty pattern");

  std::vector<std::string_view> segments;
  for (size_t start = 0;;) {
    size_t end = p.find('/', start);
    segments.push_back(p.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }

  std::string re = anchored ? "^" : "^(?:.*/)?";
  for (size_t s = 0; s < segments.size(); ++s) {
    bool last = s + 1 == segments.size();
    std::string_view seg = segments[s];
    if (seg == "**") {
      re += last ? ".*" : "(?:.*/)?";
      continue;
    }
    std::string literal;
    for (size_t i = 0; i < seg.size(); ++i) {
      char c = seg[i];
      if (c == '*' || c == '?') {
        AppendLiteral(&re, literal);
        literal.clear();
        if (c == '*') {
          while (i + 1 < seg.size() && seg[i + 1] == '*') ++i;
          re += "[^/]*";
        } else {
          re += "[^/]";
        }
      } else if (c == '\\' && i + 1 < seg.size()) {
        literal += seg[++i];
      } else {
        literal += c;
      }
    }
    AppendLiteral(&re, literal);
    if (!last) re += "/";
  }
  if (segments.back() == "**") {
    re += "$";
  } else if (dir_only) {
    re += "/.*$";
  } else if (segments.back() == "*") {
    re += "$";  // `docs/*`: the files directly in docs/, not nested ones
  } else {
    re += "(?:/.*)?$";  // a matching directory covers everything under it
  }
  return re;
}

// Splits a line into its pattern and the rest, at the first blank not escaped by `\`.
std::pair<std::string_view, std::string_view> SplitPattern(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (IsBlank(line[i]) && (i == 0 || line[i - 1] != '\\')) return {line.substr(0, i), Trim(line.substr(i))};
  }
  return {line, {}};
}

struct Heading {
  bool optional = false;
  std::string name;
  int approvals = 1;
  std::vector<std::string> owner_tokens;
  std::string problem;  // a reason to warn about, if any
};

// Parses a GitLab section heading (`[Name]`, `^[Name]`, `[Name][N]`, followed by default
// owners). Returns false when the line is not a heading: GitLab then reads it as an entry.
bool ParseHeading(std::string_view line, Heading* h) {
  size_t i = 0;
  if (line.size() > 1 && line[0] == '^' && line[1] == '[') {
    h->optional = true;
    i = 1;
  }
  if (i >= line.size() || line[i] != '[') return false;
  size_t close = line.find(']', i + 1);
  if (close == std::string_view::npos) return false;
  h->name = std::string(line.substr(i + 1, close - i - 1));
  i = close + 1;
  if (i < line.size() && line[i] == '[') {
    size_t close2 = line.find(']', i + 1);
    if (close2 != std::string_view::npos) {
      std::string_view n = line.substr(i + 1, close2 - i - 1);
      bool digits = !n.empty() && n.size() <= 9 &&
                    std::all_of(n.begin(), n.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
      if (digits) {
        h->approvals = std::max(1, std::stoi(std::string(n)));
      } else {
        h->problem = "approval count [" + std::string(n) + "] is not a number; 1 approval is required";
      }
      i = close2 + 1;
    }
  }
  h->owner_tokens = SplitBlank(line.substr(i));
  return true;
}

}  // namespace

Result<std::string> CodeownersPatternToRegex(std::string_view pattern, CodeownersDialect dialect) {
  return dialect == CodeownersDialect::kGitHub ? GitHubPatternToRegex(pattern) : GitLabPatternToRegex(pattern);
}

Result<Codeowners> Codeowners::Parse(std::string_view text, CodeownersDialect dialect, std::string_view file_name) {
  const std::string file(file_name);
  if (text.size() >= kMaxFileBytes) {
    return Status::InvalidArgument(file + ": CODEOWNERS file of " + std::to_string(text.size()) +
                                   " bytes is not loaded (the limit is under 3 MB)");
  }
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

  Codeowners c;
  c.dialect_ = dialect;
  c.sections_.push_back(CodeownersSection{});
  c.index_.emplace_back();
  // GitLab keeps a section's entries in a hash keyed by normalised pattern: a repeated pattern
  // keeps its first position. Per section: regex -> position in index_[s].entries.
  std::vector<std::unordered_map<std::string, size_t>> positions(1);
  // Per section: whether each heading of that name was optional, and whether entries exist.
  std::vector<std::vector<bool>> entry_optional(1);
  size_t current = 0;
  bool current_optional = false;
  std::vector<std::string> current_defaults;

  auto warn = [&](int line, const std::string& why) { c.warnings_.push_back(file + ":" + std::to_string(line) + ": " + why); };
  std::vector<std::string> errors;  // lines that make the whole file unusable
  auto owners_from = [&](const std::vector<std::string>& tokens, int line) {
    std::vector<std::string> owners;
    std::vector<std::string> bad;
    for (size_t t = 0; t < tokens.size(); ++t) {
      // GitHub ends the owner list at an inline comment; GitLab has none and reads on.
      if (dialect == CodeownersDialect::kGitHub && !tokens[t].empty() && tokens[t][0] == '#') break;
      if (IsValidOwner(tokens[t], dialect)) {
        owners.push_back(tokens[t]);
      } else {
        bad.push_back(tokens[t]);
      }
    }
    if (!bad.empty()) {
      std::string list;
      for (const auto& b : bad) list += (list.empty() ? "" : ", ") + b;
      warn(line, "ignored malformed owners: " + list);
    }
    return owners;
  };

  LineReader lines(text);
  std::string_view raw;
  while (lines.Next(&raw)) {
    const int line_no = static_cast<int>(lines.number());
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;

    if (dialect == CodeownersDialect::kGitLab) {
      Heading h;
      if (ParseHeading(line, &h)) {
        if (Trim(h.name).empty()) {
          warn(line_no, "section heading without a name is ignored");
          continue;
        }
        if (!h.problem.empty()) warn(line_no, h.problem);
        size_t found = c.sections_.size();
        for (size_t s = 1; s < c.sections_.size(); ++s) {
          if (EqualsIgnoreCase(c.sections_[s].name, h.name)) found = s;
        }
        std::vector<std::string> defaults = owners_from(h.owner_tokens, line_no);
        if (found == c.sections_.size()) {
          CodeownersSection section;
          section.name = h.name;
          section.approvals_required = h.approvals;
          section.default_owners = defaults;
          c.sections_.push_back(std::move(section));
          c.index_.emplace_back();
          positions.emplace_back();
          entry_optional.emplace_back();
        } else {
          // Merged duplicates: the strictest approval count applies.
          c.sections_[found].approvals_required = std::max(c.sections_[found].approvals_required, h.approvals);
        }
        current = found;
        current_optional = h.optional;
        current_defaults = std::move(defaults);
        continue;
      }
    }

    auto [pattern_text, rest] = SplitPattern(line);
    CodeownersRule rule;
    rule.line = line_no;
    rule.section = c.sections_[current].name;
    std::string_view pattern = pattern_text;
    if (dialect == CodeownersDialect::kGitLab && !pattern.empty() && pattern[0] == '!') {
      rule.exclusion = true;
      pattern.remove_prefix(1);
      if (pattern.empty()) {
        warn(line_no, "exclusion without a pattern is ignored");
        continue;
      }
    }
    rule.pattern = std::string(pattern);
    auto regex = CodeownersPatternToRegex(pattern, dialect);
    std::string unreadable;
    std::shared_ptr<RE2> re;
    if (!regex.ok()) {
      unreadable = regex.status().message();
    } else {
      re = std::make_shared<RE2>(*regex, RE2::Quiet);
      if (!re->ok()) unreadable = "cannot be matched (" + re->error() + ")";
    }
    if (!unreadable.empty()) {
      if (dialect == CodeownersDialect::kGitHub) {
        // GitHub skips such a line, which hands its paths to an earlier, broader line (`*`): the
        // owners the file's author meant are silently not asked. Refuse the file instead.
        errors.push_back(file + ":" + std::to_string(line_no) + ": '" + rule.pattern + "': " + unreadable);
      } else {
        warn(line_no, "'" + rule.pattern + "': " + unreadable + "; line skipped");
      }
      continue;
    }
    std::vector<std::string> tokens = SplitBlank(rest);
    if (rule.exclusion) {
      if (!tokens.empty()) warn(line_no, "owners on an exclusion are ignored");
    } else {
      rule.owners = owners_from(tokens, line_no);
      if (rule.owners.empty() && dialect == CodeownersDialect::kGitLab) rule.owners = current_defaults;
    }

    size_t index = c.rules_.size();
    SectionIndex& si = c.index_[current];
    if (rule.exclusion) {
      si.exclusions.push_back(index);
    } else if (dialect == CodeownersDialect::kGitLab) {
      auto [it, inserted] = positions[current].emplace(*regex, si.entries.size());
      if (inserted) {
        si.entries.push_back(index);
        entry_optional[current].push_back(current_optional);
      } else {
        si.entries[it->second] = index;
        entry_optional[current][it->second] = current_optional;
      }
    } else {
      si.entries.push_back(index);
    }
    c.rules_.push_back(std::move(rule));
    c.matchers_.push_back(std::move(re));
  }

  // GitLab: a section is optional only when every entry in it comes from a `^[...]` heading.
  for (size_t s = 1; s < c.sections_.size(); ++s) {
    const auto& flags = entry_optional[s];
    c.sections_[s].optional = !flags.empty() && std::all_of(flags.begin(), flags.end(), [](bool b) { return b; });
  }
  if (!errors.empty()) {
    std::string message = errors.front();
    if (errors.size() > 1) message += " (and " + std::to_string(errors.size() - 1) + " more such lines)";
    return Status::InvalidArgument(message +
                                   "; GitHub skips such a line and lets an earlier line own its paths, so the file "
                                   "is refused: fix or remove the line");
  }
  return c;
}

std::vector<OwnerMatch> Codeowners::Lookup(std::string_view path) const {
  std::vector<OwnerMatch> out;
  std::string subject = dialect_ == CodeownersDialect::kGitLab ? "/" + std::string(path) : std::string(path);
  auto matches = [&](size_t rule) { return RE2::FullMatch(subject, *matchers_[rule]); };
  for (size_t s = 0; s < sections_.size(); ++s) {
    const SectionIndex& si = index_[s];
    if (std::any_of(si.exclusions.begin(), si.exclusions.end(), matches)) continue;
    for (auto it = si.entries.rbegin(); it != si.entries.rend(); ++it) {
      if (!matches(*it)) continue;
      const CodeownersRule& rule = rules_[*it];
      // GitHub: a matching line without owners leaves the path unowned.
      if (dialect_ == CodeownersDialect::kGitHub && rule.owners.empty()) break;
      OwnerMatch m;
      m.section = sections_[s].name;
      m.approvals_required = sections_[s].approvals_required;
      m.optional = sections_[s].optional;
      m.owners = rule.owners;
      m.line = rule.line;
      m.pattern = rule.pattern;
      out.push_back(std::move(m));
      break;
    }
  }
  return out;
}

std::vector<std::string> ExpandOwner(std::string_view owner, const std::map<std::string, std::vector<std::string>>& teams) {
  auto team = teams.find(std::string(owner));
  if (team != teams.end()) return team->second;
  if (owner.size() > 1 && owner[0] == '@') {
    std::string_view name = owner.substr(1);
    // Roles and teams can only be resolved through the teams map.
    if (name[0] == '@' || name.find('/') != std::string_view::npos) return {};
    return {std::string(name)};
  }
  if (IsEmail(owner)) return {std::string(owner)};
  return {};
}

bool IsOwner(const OwnerMatch& match, std::string_view identity,
             const std::map<std::string, std::vector<std::string>>& teams) {
  if (identity.empty()) return false;
  for (const std::string& owner : match.owners) {
    for (const std::string& who : ExpandOwner(owner, teams)) {
      if (EqualsIgnoreCase(who, identity)) return true;
    }
  }
  return false;
}

std::vector<std::string> CodeownersLocations(CodeownersDialect dialect) {
  if (dialect == CodeownersDialect::kGitHub) return {".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"};
  return {"CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"};
}

}  // namespace pushgate
