// AllowedSigners is a parsed OpenSSH allowed_signers file (ssh-keygen(1), "ALLOWED SIGNERS"): which
// SSH keys are trusted, for which principals (e-mail patterns), namespaces and validity window.
// pushgate uses it for signed commits (namespace "git") and for break-glass approvers.
//
// Line format: `principals [options] keytype base64-key [comment]`; options are cert-authority,
// namespaces="list", valid-after="time", valid-before="time" (YYYYMMDD[HHMM[SS]][Z]; local time
// unless suffixed Z). Blank lines and `#` comments are skipped.
//
// Thread-safety: immutable after Parse/Load; const methods may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "signatures/ssh_key.h"

namespace pushgate::signatures {

struct AllowedSigner {
  std::vector<std::string> principals;   // comma-separated patterns (wildcards * ? and negation ! as in OpenSSH match_pattern_list)
  std::vector<std::string> namespaces;   // from namespaces="..." (empty = any)
  std::optional<int64_t> valid_after, valid_before;  // unix seconds, from YYYYMMDD[HHMM[SS]][Z]
  bool cert_authority = false;           // parsed, but certificates are not supported: never matches
  SshPublicKey key;
  int line = 0;
};

class AllowedSigners {
 public:
  // Parses the text of a file; errors name file:line.
  static Result<AllowedSigners> Parse(std::string_view text, std::string_view file_name);
  // Reads and parses a file (at most 16 MiB).
  static Result<AllowedSigners> Load(const std::string& path);

  // Entries whose key equals `key`, whose namespaces allow `ns`, valid at `now` (push time, never
  // the signer's claimed date). cert-authority entries never match: certificates are unsupported.
  std::vector<const AllowedSigner*> Find(const SshPublicKey& key, std::string_view ns, int64_t now) const;

  // True when `principal` matches the entry's principal patterns.
  static bool PrincipalMatches(const AllowedSigner& entry, std::string_view principal);

  const std::vector<AllowedSigner>& entries() const { return entries_; }

 private:
  std::vector<AllowedSigner> entries_;
};

// The literal principals of an entry (patterns with `*`, `?` or a leading `!` name no one in
// particular): the identities of the person the entry describes.
std::vector<std::string> LiteralPrincipals(const AllowedSigner& entry);

// True when the two identity lists share one, ignoring case: a person is every principal and
// e-mail of their allowed_signers entries, so two approvals sharing any identity are one person.
bool SharesIdentity(const std::vector<std::string>& a, const std::vector<std::string>& b);

// OpenSSH match_pattern_list semantics: `patterns` is a list of patterns with * and ?, a leading !
// negates; a negated match wins over any positive match. Comparison is case-sensitive unless
// `fold_case`.
bool MatchPatternList(std::string_view text, const std::vector<std::string>& patterns, bool fold_case = false);

}  // namespace pushgate::signatures
