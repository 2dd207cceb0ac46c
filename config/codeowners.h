// CODEOWNERS files as GitHub and GitLab read them: parsing with each platform's own syntax, and
// the lookup of who owns a repository path. The two dialects differ in ways that change who must
// approve a change, so each is implemented to its platform's documented behaviour rather than
// with the shared gitignore matcher (config/glob.h).
//
// GitHub (docs.github.com, "About code owners"):
//   - gitignore-style patterns: `*` and `?` stay within one path segment, `**` spans segments, a
//     leading `/` or an inner `/` anchors the pattern at the root, a pattern without either
//     matches at any depth, a trailing `/` matches everything under a directory, and a pattern
//     that names a directory covers its contents (`/apps/github`, `**/logs`);
//   - a pattern ending in `/*` matches the files directly in that directory only (`docs/*` does
//     not match `docs/build-app/troubleshooting.md`);
//   - `!` negation, `[ ]` character ranges and `\#` escapes do not work, and GitHub skips such a
//     line — which silently hands its paths to an earlier, broader line (`* @everyone`). Here such
//     a line is an error: the file is refused (Parse fails naming file and line), so the gate
//     refuses changes it should govern instead of asking the wrong owners; matching is
//     case-sensitive;
//   - the last matching line wins; a matching line without owners leaves the path unowned;
//   - files of 3 MB or more are refused, as GitHub does not load them.
// GitLab (docs.gitlab.com, user/project/codeowners/reference.md and advanced.md):
//   - patterns are normalised as GitLab does (`*` is everything; no leading `/` means `/**/`
//     in front; a trailing `/` means `**/*` after; `\#` and `\ ` unescape) and matched with
//     Ruby `File.fnmatch` semantics under FNM_PATHNAME | FNM_DOTMATCH against "/" + path.
//     As in GitLab, a pattern without a trailing `/` or a wildcard matches a file of that name
//     only, not the contents of a directory of that name;
//   - sections `[Name]` (case-insensitive, duplicates merged under the first spelling),
//     `^[Name]` optional, `[Name][N]` approvals (N < 1 or not a number gives 1), default owners
//     on the heading line for entries that name none; entries before the first heading form an
//     unnamed section that is always required;
//   - `!pattern` excludes matching paths from its section; an excluded path cannot be brought
//     back into that section by any other line;
//   - within a section the last matching pattern wins; a pattern repeated in a section keeps its
//     first position and takes the owners of its last occurrence (GitLab keeps entries in a hash
//     keyed by the normalised pattern);
//   - an unterminated `[Section` heading is read as an ordinary entry.
// Owners are `@user`, `@org/team` (GitHub), `@group/subgroup/...` and `@@role` (GitLab, kept as
// written), or an email address. Malformed owners are ignored with a warning.
//
// Thread-safety: a parsed Codeowners is immutable; Lookup() may be called from many threads.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace re2 {
class RE2;
}

namespace pushgate {

enum class CodeownersDialect { kGitHub, kGitLab };

// One pattern line of the file, in file order.
struct CodeownersRule {
  std::string pattern;              // as written (without a leading `!` for exclusions)
  std::vector<std::string> owners;  // as written, or the section's default owners when none
  int line = 0;                     // 1-based
  std::string section;              // "" for GitHub and for GitLab's unnamed section
  bool exclusion = false;           // GitLab `!pattern`
};

// A GitLab section; GitHub files have one unnamed section.
struct CodeownersSection {
  std::string name;  // "" for the unnamed section
  int approvals_required = 1;
  bool optional = false;  // `^[Name]` on every heading of this name
  std::vector<std::string> default_owners;  // from the first heading of this name
};

// The owners that apply to one path through one section.
struct OwnerMatch {
  std::string section;
  int approvals_required = 1;
  bool optional = false;
  // Empty for a GitLab entry with no valid owner: GitLab still requires an approval that
  // nobody can give when code owner approval is required, so callers should treat the path
  // as owned by no one rather than as unowned.
  std::vector<std::string> owners;
  int line = 0;
  std::string pattern;
};

class Codeowners {
 public:
  // GitHub's documented limit: files of this size or larger are not loaded.
  static constexpr size_t kMaxFileBytes = 3 * 1024 * 1024;

  // Parses a CODEOWNERS file. Malformed owners, and GitLab lines that cannot be read, are skipped
  // and reported by warnings(); the file as a whole is refused (InvalidArgument, naming
  // "file:line") when it is too large or, in the GitHub dialect, when a pattern uses syntax
  // GitHub does not support. `file_name` is used in warnings and errors.
  static Result<Codeowners> Parse(std::string_view text, CodeownersDialect dialect, std::string_view file_name);

  // Owners of `path` (repository-relative, `/`-separated, no leading slash).
  // GitHub: at most one match, from the last matching line; none when that line has no owners.
  // GitLab: one match per section in which the path matches an entry and no exclusion, in the
  // order the sections first appear (the unnamed section first).
  std::vector<OwnerMatch> Lookup(std::string_view path) const;

  // Skipped lines and ignored owners, each "file:line: why".
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Every pattern line that was kept, in file order.
  const std::vector<CodeownersRule>& rules() const { return rules_; }
  // Sections in order of first appearance; index 0 is the unnamed section.
  const std::vector<CodeownersSection>& sections() const { return sections_; }
  CodeownersDialect dialect() const { return dialect_; }

 private:
  struct SectionIndex {
    std::vector<size_t> entries;     // rule indexes in matching order (earliest first)
    std::vector<size_t> exclusions;  // rule indexes of `!` lines
  };

  CodeownersDialect dialect_ = CodeownersDialect::kGitHub;
  std::vector<CodeownersRule> rules_;
  std::vector<std::shared_ptr<const re2::RE2>> matchers_;  // parallel to rules_
  std::vector<CodeownersSection> sections_;
  std::vector<SectionIndex> index_;  // parallel to sections_
  std::vector<std::string> warnings_;
};

// Resolves an owner token to identities: "@user" gives "user"; a token found in `teams` (keyed
// with its '@', e.g. "@org/team", "@group", "@@maintainer") gives that team's members; an email
// gives itself. A team or role missing from `teams` gives nothing, because its members cannot
// be known here.
std::vector<std::string> ExpandOwner(std::string_view owner, const std::map<std::string, std::vector<std::string>>& teams);

// True when `identity` (a username or an email) is one of the expanded owners of `match`.
// Comparison ignores ASCII case: GitHub and GitLab treat usernames and email addresses
// case-insensitively.
bool IsOwner(const OwnerMatch& match, std::string_view identity,
             const std::map<std::string, std::vector<std::string>>& teams);

// Where each platform looks for the file, in its search order (the first one found is used):
// GitHub .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS; GitLab CODEOWNERS, docs/CODEOWNERS,
// .gitlab/CODEOWNERS.
std::vector<std::string> CodeownersLocations(CodeownersDialect dialect);

// Translates one pattern into the anchored RE2 expression used to match "path" (GitHub) or
// "/path" (GitLab, after GitLab's normalisation). Exposed for tests and diagnostics;
// InvalidArgument names constructs the dialect does not support.
Result<std::string> CodeownersPatternToRegex(std::string_view pattern, CodeownersDialect dialect);

}  // namespace pushgate
