// PgpKeyring is the set of trusted OpenPGP certificates (armored or binary transferable public
// keys, as `gpg --export [--armor]` writes them), used to find the key that made a commit
// signature and the identities (user-id e-mails) it speaks for.
//
// When the primary key is Ed25519, self-signatures are verified natively: a user id counts only
// with a valid certification by the primary key, a subkey only with a valid binding signature,
// and key expiration and revocation come from those signatures. Certificates with other primary
// algorithms (RSA...) cannot be checked here; their user ids and subkeys are taken as listed in
// the trusted file, and their signatures are verified by gpg when the fallback is enabled.
//
// Thread-safety: immutable after Parse/Load; const methods may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "signatures/openpgp.h"

namespace pushgate::signatures {

struct PgpKeyState {
  PgpPublicKey key;
  std::optional<int64_t> expires_at;  // unix seconds; none = never
  bool revoked = false;
  bool can_sign = true;               // from key flags when present
  bool bound = true;                  // subkeys: a valid binding signature was found
};

struct PgpCertificate {
  PgpKeyState primary;
  std::vector<std::string> user_ids;  // accepted user ids
  std::vector<std::string> emails;    // the address of each accepted user id, lower-cased
  std::vector<PgpKeyState> subkeys;
  bool self_signatures_checked = false;  // false when the primary's algorithm is not native
};

class PgpKeyring {
 public:
  // Parses one or more armored blocks, or binary packets. Errors name `source`.
  static Result<PgpKeyring> Parse(std::string_view data, std::string_view source);
  // Loads a file, or every *.asc, *.gpg, *.pgp and *.key file in a directory.
  static Result<PgpKeyring> Load(const std::string& path);

  struct Match {
    const PgpCertificate* cert = nullptr;
    const PgpKeyState* key = nullptr;  // the primary or a subkey
  };
  // The key named as issuer by the signature (fingerprint, else key id).
  std::optional<Match> FindIssuer(const PgpSignature& sig) const;
  // The certificate whose primary or subkey has this fingerprint (upper- or lower-case hex).
  std::optional<Match> FindFingerprint(std::string_view hex) const;

  const std::vector<PgpCertificate>& certificates() const { return certs_; }

 private:
  std::vector<PgpCertificate> certs_;
};

// The e-mail address of a user id ("Name <email>"), lower-cased; the whole id when it is a bare
// address; empty otherwise.
std::string PgpUserIdEmail(std::string_view user_id);

}  // namespace pushgate::signatures
