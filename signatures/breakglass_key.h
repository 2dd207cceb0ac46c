// Break-glass approver keys and signing: making a pushgate approver key, and adding an SSHSIG
// signature (namespace "pushgate-breakglass", sha512) over a token's payload with either kind of
// approver key.
//
// Approver key file (made by BreakglassKeygen), mode 0600, one line:
//   pushgate-breakglass-key-v1 <principal> <base64 Ed25519 seed (32 bytes)>
// and beside it FILE.pub, an OpenSSH public key line: "ssh-ed25519 AAAA... <principal>".
// The approvers file on the server is an OpenSSH allowed_signers file; the line for a new key is
//   <principal> namespaces="pushgate-breakglass" ssh-ed25519 AAAA...
//
// Any other key file is handed to `ssh-keygen -Y sign -f KEY -n pushgate-breakglass`: an OpenSSH
// private key without a passphrase, or a public key (KEY.pub) whose private half is loaded in
// ssh-agent. Passphrase-protected private keys must go through ssh-agent, since signing never
// prompts. Ed25519 keys of both kinds give signatures that the hook verifies natively; RSA and
// ECDSA OpenSSH keys give signatures that the hook checks with `ssh-keygen -Y verify`.
//
// Secret key bytes live only in SecretBuffer memory (sodium_malloc: guarded, locked, wiped on
// release).
//
// Thread-safety: the functions share no state. A SecretBuffer belongs to one thread.
#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"

namespace pushgate {

// First word of an approver key file.
inline constexpr const char* kBreakglassKeyMagic = "pushgate-breakglass-key-v1";

// A fixed-size buffer for secret bytes, allocated with sodium_malloc and wiped and freed with
// sodium_free. Not copyable.
class SecretBuffer {
 public:
  explicit SecretBuffer(size_t size);
  ~SecretBuffer();
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;

  // False when the allocation failed.
  bool ok() const { return data_ != nullptr; }
  unsigned char* data() { return data_; }
  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  unsigned char* data_ = nullptr;
  size_t size_ = 0;
};

// What BreakglassKeygen made.
struct BreakglassKeyInfo {
  std::string secret_path;     // the key file
  std::string public_path;     // the key file + ".pub"
  std::string principal;       // the approver name written in both files
  std::string public_key_line; // "ssh-ed25519 AAAA... principal"
  std::string approvers_line;  // the line to add to the server's approvers file
  std::string fingerprint;     // "SHA256:..." as ssh-keygen -l prints it
};

// Makes a new Ed25519 approver key: writes out_path (mode 0600) and out_path.pub, refusing to
// overwrite either. The principal names the approver in the approvers file and in audit lines:
// 1 to 100 characters among letters, digits and ._@+- .
Result<BreakglassKeyInfo> BreakglassKeygen(const std::string& out_path, const std::string& principal);

// Returns a binary SSHSIG blob over `message` in the pushgate-breakglass namespace, signed with
// the key at key_path: natively for a pushgate approver key file, otherwise through
// `ssh-keygen -Y sign` (ssh_keygen names the program; it is looked up on PATH).
Result<std::string> SignBreakglassMessage(const std::string& message, const std::string& key_path,
                                          const std::string& ssh_keygen = "ssh-keygen");

// Signs a fresh token: returns the token text for `payload_bytes` (already validated and
// canonical, see breakglass_token.h) with one signature by key_path.
Result<std::string> SignBreakglassToken(const std::string& payload_bytes, const std::string& key_path,
                                        const std::string& ssh_keygen = "ssh-keygen");

// Adds a signature by key_path to an existing token without changing its payload. Signing
// twice with the same key leaves one signature of that key.
Result<std::string> CosignBreakglassToken(const std::string& token, const std::string& key_path,
                                          const std::string& ssh_keygen = "ssh-keygen");

}  // namespace pushgate
