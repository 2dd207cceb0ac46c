// Splits a raw commit object (the bytes `git cat-file commit` prints) into the signed payload and
// the embedded signature, with Git's own rules (git commit.c parse_buffer_signed_by_header):
// headers end at the first empty line; the signature is the value of the header of the
// repository's object format — `gpgsig` in a SHA-1 repository, `gpgsig-sha256` in a SHA-256 one —
// plus its continuation lines (lines starting with one space, the space removed); the payload is
// the commit with every `gpgsig*` header and its continuation lines removed. A header of the other
// format is dropped from the payload but is not a signature: a lone `gpgsig-sha256` in a SHA-1
// repository leaves the commit unsigned, as Git says. Anything in the message body — an armor block or a `gpgsig` line — is not a signature.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace pushgate::signatures {

enum class SignatureKind {
  kNone,     // no signature header
  kOpenPgp,  // -----BEGIN PGP SIGNATURE----- / -----BEGIN PGP MESSAGE-----
  kSsh,      // -----BEGIN SSH SIGNATURE-----
  kX509,     // -----BEGIN SIGNED MESSAGE----- (gpgsm, smimesign, gitsign): not supported
  kUnknown,  // a signature header whose armor git would not recognise either
};

struct CommitSignature {
  std::string payload;          // what the signer signed
  std::string signature;        // the armored signature, lines joined with '\n'
  SignatureKind kind = SignatureKind::kNone;
  int signature_headers = 0;    // number of gpgsig* headers; more than one is refused by the verifier
  std::string committer_email;  // between '<' and '>' of the committer header; empty if absent
  std::string committer;        // the committer header value (name <email> time zone)
};

// The object format of the repository a commit comes from; it decides which header signs.
enum class ObjectFormat { kSha1, kSha256 };

// Splits the commit. Corruption when the object has no header/body separator in a well-formed
// place or is larger than 64 MiB.
Result<CommitSignature> SplitCommitSignature(std::string_view raw_commit, ObjectFormat format = ObjectFormat::kSha1);

// The kind of an armored signature, from its first line (as git's get_format_by_sig does).
SignatureKind DetectSignatureKind(std::string_view signature);

// "none", "openpgp", "ssh", "x509", "unknown".
const char* SignatureKindName(SignatureKind kind);

}  // namespace pushgate::signatures
