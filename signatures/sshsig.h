// SSHSIG: OpenSSH's detached signature format (`ssh-keygen -Y sign`, PROTOCOL.sshsig), used by
// git for gpg.format=ssh commit signatures (namespace "git") and by pushgate's break-glass tokens.
// Parsing, serialization, armoring, and native verification of Ed25519 and sk-ssh-ed25519
// signatures with libsodium. Other key types are reported as unsupported so that callers can fall
// back to `ssh-keygen -Y verify`.
//
// Thread-safety: all functions are pure and may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "signatures/ssh_key.h"

namespace pushgate::signatures {

struct SshSignature {
  SshPublicKey key;       // the signer's public key, embedded in the signature
  std::string ns;         // namespace, e.g. "git"
  std::string reserved;   // OpenSSH writes it empty; kept so a re-serialized blob is identical
  std::string hash_alg;   // "sha256" or "sha512"
  std::string sig_type;   // signature algorithm: "ssh-ed25519", "rsa-sha2-512", ...
  std::string sig_blob;   // the raw signature bytes (64 bytes for Ed25519)
  // sk-* (FIDO) signatures only: authenticator flags and counter that follow the signature bytes.
  uint8_t sk_flags = 0;
  uint32_t sk_counter = 0;
  // Bytes after the signature (and sk fields) inside the signature encoding, kept verbatim
  // (webauthn signatures carry more data there).
  std::string sig_extra;
};

// Parses an armored signature ("-----BEGIN SSH SIGNATURE-----" ... "-----END SSH SIGNATURE-----").
// Corruption on bad armor, bad base64 or a malformed blob.
Result<SshSignature> ParseArmoredSshsig(std::string_view armored);

// Parses the decoded blob, starting with "SSHSIG". Rejects versions other than 1, lengths past
// the end, empty namespaces and trailing bytes.
Result<SshSignature> ParseSshsigBlob(std::string_view binary);

// Builds the exact buffer that is signed (magic, namespace, reserved, hash alg, H(message)).
// hash_alg must be "sha256" or "sha512"; any other value hashes with sha512.
std::string SshsigSignedData(std::string_view ns, std::string_view hash_alg, std::string_view message);

// Serializes an SSHSIG blob (for signers that sign natively with libsodium).
std::string SerializeSshsig(const SshSignature& sig);

// Armors a blob the way ssh-keygen does: header, base64 wrapped at 70 columns, footer.
std::string ArmorSshsig(std::string_view blob);

// Verifies natively: Ed25519 and sk-ssh-ed25519 with libsodium. Returns OK when valid; Corruption
// when the signature is malformed or does not verify; InvalidArgument("unsupported key type <t>")
// when the key type needs the ssh-keygen fallback; InvalidArgument on a namespace mismatch.
Status VerifySshsig(const SshSignature& sig, std::string_view message, std::string_view expected_namespace);

// True when the status returned by VerifySshsig means "this key type needs the ssh-keygen
// fallback" rather than "this signature is bad".
bool IsUnsupportedKeyType(const Status& status);

}  // namespace pushgate::signatures
