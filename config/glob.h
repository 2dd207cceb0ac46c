// Glob patterns for repository paths and ref names, with gitignore semantics:
//   `*` matches within one path segment, `?` one character other than `/`, `[a-z]` a class,
//   `**` any number of whole segments (`live/prod/**`, `**/*.pem`, `a/**/b`).
// A pattern without a `/` (other than a trailing one) matches the last segment at any depth
// (`*.tfstate`, `.env`); a pattern with a `/` is anchored at the root (a leading `/` is dropped).
// As in .gitignore, a pattern that matches a directory also matches everything under it
// (`secrets/*` covers `secrets/a/b.key`); a trailing `/` matches only directories.
//
// Patterns are translated once into RE2 expressions, so matching is linear in the path length
// whatever the pattern: hostile patterns or paths cannot make it backtrack.
//
// Thread-safety: a compiled Glob is immutable and may be shared between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace re2 {
class RE2;
}

namespace pushgate {

class Glob {
 public:
  // Compiles pattern; InvalidArgument names what is wrong (empty, unclosed `[`, ...).
  static Result<Glob> Compile(std::string_view pattern);

  // True when path (repository-relative, `/`-separated, no leading `/`) matches.
  bool Matches(std::string_view path) const;

  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  std::shared_ptr<const re2::RE2> re_;
};

// A list of globs that matches when any of its members matches.
class GlobSet {
 public:
  static Result<GlobSet> Compile(const std::vector<std::string>& patterns);
  bool Matches(std::string_view path) const;
  // The first pattern that matches path, or nullptr.
  const Glob* FirstMatch(std::string_view path) const;
  bool empty() const { return globs_.empty(); }

 private:
  std::vector<Glob> globs_;
};

// Translates a glob into an anchored RE2 expression (exposed for tests and diagnostics).
Result<std::string> GlobToRegex(std::string_view pattern);

}  // namespace pushgate
