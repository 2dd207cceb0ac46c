// Scanner finds secrets in content. It is built once from a RuleSet and allow settings, then
// scans any number of blobs and messages.
//
// How a scan works: one Hyperscan block-mode database holds every rule (plus one expression that
// finds long base64 runs) and reports candidate match ends in a single pass. Each candidate is
// confirmed by RE2 on a bounded window: `pattern\z` on the bytes before the end finds the match
// start, then the pattern anchored at that start yields the capture groups. The secret (group
// `secret`, else group 1, else the whole match) must then pass the rule's entropy, checksum and
// keyword checks, must not be a placeholder, must not be allowlisted, and its line must not carry
// `pushgate:allow`. Overlapping matches of one rule are reported once. Long base64 runs are
// decoded once and, when the result is text, scanned again. Line numbers are computed only for
// the matches that survive.
//
// Thread-safety: Scan() is const and safe to call from many threads at once on one Scanner; each
// call borrows a Hyperscan scratch space from an internal pool.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "scanner/content.h"
#include "scanner/hyperscan.h"
#include "scanner/rules.h"
#include "scanner/secret_checks.h"

namespace re2 {
class RE2;
}
namespace pushgate {
class GlobSet;
}

namespace pushgate::scanner {

// Findings to ignore, from the `secrets.allow` config section.
struct AllowList {
  std::vector<std::string> paths;      // globs (gitignore syntax) on the repository-relative path
  std::vector<std::string> regexes;    // RE2, searched in the secret
  std::vector<std::string> stopwords;  // case-insensitive substrings of the secret
};

struct SecretMatch {
  std::string rule_id;    // without the "secret/" prefix
  std::string rule_name;
  size_t line = 0;        // 1-based; for a decoded finding, the line of the encoded run
  size_t column = 0;      // 1-based byte column of the match (of the encoded run when decoded)
  std::string secret;     // raw bytes: for fingerprints and comparisons, never for output
  std::string redacted;   // Redact(secret): what output shows
  bool in_decoded = false;  // found inside base64-decoded text
};

class Scanner {
 public:
  // Builds a scanner. The Hyperscan database is loaded from cache_dir when a valid cached copy
  // exists ("" = no cache); otherwise every pattern is checked in RE2 and Hyperscan, compiled, and
  // stored there. Errors name the rule file, rule id and the engine that refused a pattern.
  static Result<std::unique_ptr<Scanner>> Create(RuleSet rules, AllowList allow, const std::string& cache_dir);

  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Appends the secrets found in content to out. path (repository-relative, may be empty) is
  // matched against the path allowlist. Binary content and Git LFS pointers are skipped. Fails
  // only on internal errors or content too large for one Hyperscan block (4 GiB).
  Status Scan(std::string_view content, std::string_view path, std::vector<SecretMatch>* out) const;

  // True when `secrets.allow.paths` covers path. Scan applies it to the path it is given; a caller
  // that scans content once for several paths scans with an empty path and asks per path.
  bool PathAllowed(std::string_view path) const;

  // Hex BLAKE2b-128 of everything that decides Scan's result for given content (the rules, the
  // regex and stopword allowlists, the program version): the key of the verdict cache.
  std::string VerdictKey() const;

  const RuleSet& rules() const { return rules_; }

  // True when the database came from the cache rather than a fresh compile.
  bool loaded_from_cache() const { return from_cache_; }
  // Why the cache could not be read or written, if it could not (for verbose output).
  const std::string& cache_warning() const { return cache_warning_; }

 private:
  struct CompiledRule;
  struct ScanState;
  struct Finding;
  class ScratchPool;

  Scanner();
  Status ScanText(std::string_view text, hs_scratch_t* scratch, bool decoded, std::vector<Finding>* out) const;
  static int OnMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void* ctx);
  bool Confirm(ScanState* state, unsigned rule_index, size_t end) const;
  bool Keep(const ScanState& state, unsigned rule_index, size_t start, size_t end, std::string_view secret) const;
  bool Allowed(std::string_view secret) const;

  RuleSet rules_;
  std::vector<std::unique_ptr<CompiledRule>> compiled_;  // parallel to rules_.rules
  std::unique_ptr<GlobSet> allow_paths_;
  std::vector<std::unique_ptr<re2::RE2>> allow_regexes_;
  std::vector<std::string> allow_stopwords_;  // lower-cased
  HsDatabase db_;
  std::unique_ptr<ScratchPool> scratch_;
  bool from_cache_ = false;
  std::string cache_warning_;
};

}  // namespace pushgate::scanner
