// SshPublicKey is an OpenSSH public key as it appears in an authorized_keys, allowed_signers or
// .pub line: the key type name and the SSH wire-format key blob. Keys compare by blob, which is
// how OpenSSH matches a signature's embedded key against a trusted one.
//
// Thread-safety: an SshPublicKey is a plain value; ParseSshPublicKey shares no state.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace pushgate::signatures {

struct SshPublicKey {
  std::string type;  // "ssh-ed25519", "sk-ssh-ed25519@openssh.com", "ssh-rsa", "ecdsa-sha2-nistp256", ...
  std::string blob;  // the SSH wire-format public key blob (what base64 in an authorized_keys line decodes to)

  // "SHA256:<unpadded base64 of sha256(blob)>", as `ssh-keygen -l` prints it.
  std::string Fingerprint() const;
  // "<type> <base64 blob>", usable in authorized_keys and allowed_signers lines.
  std::string AuthorizedKeyLine() const;

  bool operator==(const SshPublicKey& other) const { return type == other.type && blob == other.blob; }
};

// Parses a key from its type name and base64 blob. The blob must decode, start with an SSH string
// equal to `type`, and for Ed25519 kinds carry a 32-byte key (plus the application string for
// sk-ssh-ed25519). Other key types are accepted with their blob kept opaque.
Result<SshPublicKey> ParseSshPublicKey(std::string_view type, std::string_view base64_blob);

// Parses a key from its wire-format blob; the type is read from the blob.
Result<SshPublicKey> SshPublicKeyFromBlob(std::string_view blob);

// The 32-byte Ed25519 public key inside an ssh-ed25519 or sk-ssh-ed25519 key, and for sk keys the
// FIDO application string; Corruption when the key is of another type or malformed.
struct Ed25519KeyParts {
  std::string public_key;   // 32 bytes
  std::string application;  // sk-ssh-ed25519 only, e.g. "ssh:"
  bool security_key = false;
};
Result<Ed25519KeyParts> Ed25519Parts(const SshPublicKey& key);

}  // namespace pushgate::signatures
