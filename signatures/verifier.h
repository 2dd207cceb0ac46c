// CommitVerifier is the single entry point the gate uses to judge a commit signature: it splits
// the raw commit with Git's rules, verifies SSH (SSHSIG, namespace "git") and OpenPGP signatures
// natively when the key is Ed25519, falls back to ssh-keygen / gpg for other algorithms when
// enabled, and applies the identity rule: a signature counts only when the key's principal (an
// allowed_signers principal pattern, or an OpenPGP user-id e-mail) matches the committer e-mail
// (or an identity the configuration maps to it). Key validity is judged at `now`, the push time,
// never at the date the signer claims.
//
// Thread-safety: trust files are loaded once by Create(); Verify() is const and may be called
// from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "signatures/allowed_signers.h"
#include "signatures/openpgp_keyring.h"

namespace pushgate::signatures {

struct TrustSettings {
  std::string allowed_signers_path;  // OpenSSH allowed_signers file; empty: no SSH signer is trusted
  std::string openpgp_keys_path;     // armored/binary public keys (file or directory); empty: none
  bool ssh_fallback = true;          // non-Ed25519 SSH keys through ssh-keygen -Y verify
  bool gpg_fallback = false;         // non-Ed25519 OpenPGP keys through gpg --verify
  std::string gpg_keyring;           // keyring for gpg (`gpg --export > file`)
};

enum class SignatureStatus { kGood, kBad, kUnknownKey, kPrincipalMismatch, kExpiredKey, kUnsupported, kUnsigned };

struct SignatureVerdict {
  SignatureStatus status = SignatureStatus::kUnsigned;
  std::string signer;           // principal or user-id e-mail that verified
  std::string key_fingerprint;  // "SHA256:..." for SSH, hex for OpenPGP
  std::string detail;           // one human line
  // Every identity of the verified signer: the literal principals of the allowed_signers entries
  // that trust the key, or the user-id e-mails of the OpenPGP certificate. Empty unless good.
  std::vector<std::string> identities;
};

class CommitVerifier {
 public:
  // Loads the trust files named in settings. A named file that is missing or malformed is an error.
  static Result<std::unique_ptr<CommitVerifier>> Create(const TrustSettings& settings);

  // Verifies the raw commit (`git cat-file commit` bytes) at push time `now` (unix seconds). The
  // signer must match the committer e-mail or one of `also_accept`.
  SignatureVerdict Verify(std::string_view raw_commit, int64_t now,
                          const std::vector<std::string>& also_accept = {}) const;

 private:
  explicit CommitVerifier(TrustSettings settings) : settings_(std::move(settings)) {}
  SignatureVerdict VerifySsh(std::string_view signature, std::string_view payload,
                             const std::vector<std::string>& identities, int64_t now) const;
  SignatureVerdict VerifyOpenPgp(std::string_view signature, std::string_view payload,
                                 const std::vector<std::string>& identities, int64_t now) const;
  SignatureVerdict VerifyWithGpgFallback(std::string_view signature, std::string_view payload,
                                         const std::vector<std::string>& identities) const;

  TrustSettings settings_;
  std::optional<AllowedSigners> ssh_signers_;
  std::optional<PgpKeyring> pgp_keys_;
  std::optional<PgpKeyring> gpg_keyring_;  // the fallback keyring, read for its user ids
};

// "good", "bad", "unknown-key", "principal-mismatch", "expired-key", "unsupported", "unsigned".
const char* StatusName(SignatureStatus status);

}  // namespace pushgate::signatures
