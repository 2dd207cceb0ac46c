#include "signatures/ssh_key.h"

#include <sodium.h>

#include "signatures/base64.h"
#include "signatures/ssh_wire.h"

namespace pushgate::signatures {
namespace {

constexpr std::string_view kEd25519 = "ssh-ed25519";
constexpr std::string_view kSkEd25519 = "sk-ssh-ed25519@openssh.com";
// SSH key blobs are small (an RSA-16384 key is about 2 KiB); anything larger is not a key.
constexpr size_t kMaxBlobBytes = 16 * 1024;

}  // namespace

std::string SshPublicKey::Fingerprint() const {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(blob.data()), blob.size());
  return "SHA256:" + Base64EncodeUnpadded(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string SshPublicKey::AuthorizedKeyLine() const { return type + " " + Base64Encode(blob); }

Result<SshPublicKey> SshPublicKeyFromBlob(std::string_view blob) {
  if (blob.size() > kMaxBlobBytes) return Status::Corruption("SSH public key blob is too large");
  SshReader reader(blob);
  auto type = reader.ReadString("SSH public key type");
  if (!type.ok()) return type.status();
  if (type->empty()) return Status::Corruption("SSH public key has an empty type");
  SshPublicKey key{*type, std::string(blob)};
  if (key.type == kEd25519 || key.type == kSkEd25519) {
    auto parts = Ed25519Parts(key);
    if (!parts.ok()) return parts.status();
  }
  return key;
}

Result<SshPublicKey> ParseSshPublicKey(std::string_view type, std::string_view base64_blob) {
  if (base64_blob.size() > kMaxBlobBytes * 2) return Status::Corruption("SSH public key is too large");
  auto blob = Base64Decode(base64_blob);
  if (!blob.ok()) return Status::Corruption("SSH public key: invalid base64");
  auto key = SshPublicKeyFromBlob(*blob);
  if (!key.ok()) return key.status();
  if (key->type != type) {
    return Status::Corruption("SSH public key type \"" + std::string(type) + "\" does not match its blob (\"" +
                              key->type + "\")");
  }
  return key;
}

Result<Ed25519KeyParts> Ed25519Parts(const SshPublicKey& key) {
  SshReader reader(key.blob);
  auto type = reader.ReadString("SSH public key type");
  if (!type.ok()) return type.status();
  Ed25519KeyParts parts;
  if (*type == kSkEd25519) {
    parts.security_key = true;
  } else if (*type != kEd25519) {
    return Status::Corruption("not an Ed25519 key: " + *type);
  }
  auto pk = reader.ReadString("Ed25519 public key");
  if (!pk.ok()) return pk.status();
  if (pk->size() != crypto_sign_PUBLICKEYBYTES) {
    return Status::Corruption("Ed25519 public key has " + std::to_string(pk->size()) + " bytes, not 32");
  }
  parts.public_key = std::move(*pk);
  if (parts.security_key) {
    auto app = reader.ReadString("security key application");
    if (!app.ok()) return app.status();
    parts.application = std::move(*app);
  }
  if (!reader.AtEnd()) return Status::Corruption("trailing bytes after the " + *type + " public key");
  return parts;
}

}  // namespace pushgate::signatures
