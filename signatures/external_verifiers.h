// Signature verification by the system's own tools, for key algorithms libsodium cannot verify:
// `ssh-keygen -Y verify` against an allowed_signers file (RSA, ECDSA SSH keys) and
// `gpg --verify` against a dedicated keyring (RSA, DSA, ECDSA OpenPGP keys). Both run with a
// timeout, without a shell, with the message on stdin, and never touch the invoking user's
// ~/.ssh or ~/.gnupg (gpg gets a throw-away GNUPGHOME).
//
// Thread-safety: functions share no state; each call uses its own temporary directory.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pushgate::signatures {

struct ExternalVerdict {
  enum class Outcome { kGood, kBad, kUnknownKey, kExpiredKey };
  Outcome outcome = Outcome::kBad;
  std::string fingerprint;          // signing key (gpg: VALIDSIG; ssh-keygen: SHA256:...)
  std::string primary_fingerprint;  // gpg only: the primary key of the signing (sub)key
  std::string detail;               // one line from the tool
};

// Runs `ssh-keygen -Y verify -f allowed_signers -I principal -n ns -s <sig>` with message on stdin.
// Status errors mean the tool could not run or timed out.
Result<ExternalVerdict> VerifyWithSshKeygen(const std::string& allowed_signers_path, std::string_view principal,
                                            std::string_view ns, std::string_view armored_signature,
                                            std::string_view message,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Runs `gpg --no-default-keyring --keyring <keyring> --status-fd 1 --verify <sig> -` and reads its
// status lines (GOODSIG/VALIDSIG/BADSIG/EXPKEYSIG/REVKEYSIG/ERRSIG).
Result<ExternalVerdict> VerifyWithGpg(const std::string& keyring_path, std::string_view armored_signature,
                                      std::string_view message,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace pushgate::signatures
