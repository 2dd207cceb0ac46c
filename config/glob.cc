#include "config/glob.h"

#include <re2/re2.h>

namespace pushgate {

namespace {

// Appends the regex for a `[...]` class starting at pattern[i] == '['; returns the index just
// past the closing `]`, or npos when the class is not closed.
size_t TranslateClass(std::string_view p, size_t i, std::string* out) {
  size_t j = i + 1;
  std::string cls = "[";
  if (j < p.size() && (p[j] == '!' || p[j] == '^')) cls += '^', ++j;
  bool first = true;
  for (; j < p.size(); ++j) {
    char c = p[j];
    if (c == ']' && !first) {
      cls += ']';
      *out += cls;
      return j + 1;
    }
    first = false;
    if (c == '/') return std::string_view::npos;  // a class never matches a separator
    if (c == '\\' || c == '[' || c == ']') cls += '\\';
    cls += c;
  }
  return std::string_view::npos;
}

}  // namespace

Result<std::string> GlobToRegex(std::string_view pattern) {
  if (pattern.empty()) return Status::InvalidArgument("empty glob");
  std::string_view p = pattern;
  bool dir_only = false;
  if (p.size() > 1 && p.back() == '/') p.remove_suffix(1), dir_only = true;
  bool anchored = p.find('/') != std::string_view::npos;
  if (!p.empty() && p.front() == '/') p.remove_prefix(1);
  if (p.empty()) return Status::InvalidArgument("glob '" + std::string(pattern) + "' matches nothing");

  std::string re = anchored ? "" : "(?:.*/)?";
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '*' && i + 1 < p.size() && p[i + 1] == '*') {
      bool seg_start = i == 0 || p[i - 1] == '/';
      size_t end = i + 2;
      bool seg_end = end == p.size() || p[end] == '/';
      if (!seg_start || !seg_end) {
        re += "[^/]*";  // `a**b` behaves like `a*b`, as in gitignore
        i = end;
      } else if (end == p.size()) {
        re += ".*";
        i = end;
      } else {
        re += "(?:.*/)?";  // `**/` : zero or more whole segments
        i = end + 1;
      }
      continue;
    }
    if (c == '*') {
      re += "[^/]*";
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '[') {
      size_t next = TranslateClass(p, i, &re);
      if (next == std::string_view::npos) {
        return Status::InvalidArgument("glob '" + std::string(pattern) + "' has an unclosed '['");
      }
      i = next;
      continue;
    } else if (c == '\\' && i + 1 < p.size()) {
      re += RE2::QuoteMeta(std::string(1, p[i + 1]));
      i += 2;
      continue;
    } else {
      re += RE2::QuoteMeta(std::string(1, c));
    }
    ++i;
  }
  re += dir_only ? "/.*" : "(?:/.*)?";
  return re;
}

Result<Glob> Glob::Compile(std::string_view pattern) {
  auto re = GlobToRegex(pattern);
  if (!re.ok()) return re.status();
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_dot_nl(true);
  auto compiled = std::make_shared<const re2::RE2>(*re, opts);
  if (!compiled->ok()) {
    return Status::InvalidArgument("glob '" + std::string(pattern) + "': " + compiled->error());
  }
  Glob g;
  g.pattern_ = std::string(pattern);
  g.re_ = std::move(compiled);
  return g;
}

bool Glob::Matches(std::string_view path) const {
  return re_ && RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *re_);
}

Result<GlobSet> GlobSet::Compile(const std::vector<std::string>& patterns) {
  GlobSet set;
  for (const auto& p : patterns) {
    auto g = Glob::Compile(p);
    if (!g.ok()) return g.status();
    set.globs_.push_back(std::move(*g));
  }
  return set;
}

bool GlobSet::Matches(std::string_view path) const { return FirstMatch(path) != nullptr; }

const Glob* GlobSet::FirstMatch(std::string_view path) const {
  for (const auto& g : globs_) {
    if (g.Matches(path)) return &g;
  }
  return nullptr;
}

}  // namespace pushgate
