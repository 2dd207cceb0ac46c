#include "signatures/sshsig.h"

#include <sodium.h>

#include "signatures/base64.h"
#include "signatures/sodium_init.h"
#include "signatures/ssh_wire.h"

namespace pushgate::signatures {
namespace {

constexpr std::string_view kMagic = "SSHSIG";
constexpr uint32_t kVersion = 1;
constexpr std::string_view kBegin = "-----BEGIN SSH SIGNATURE-----";
constexpr std::string_view kEnd = "-----END SSH SIGNATURE-----";
constexpr std::string_view kUnsupportedPrefix = "unsupported key type ";
// Real signatures are under 2 KiB (RSA-16384 about 5 KiB); refuse megabytes of armor up front.
constexpr size_t kMaxArmorBytes = 64 * 1024;

bool IsSecurityKeyType(std::string_view type) { return type.substr(0, 3) == "sk-" || type.find("webauthn") != std::string_view::npos; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<SshSignature> ParseArmoredSshsig(std::string_view armored) {
  if (armored.size() > kMaxArmorBytes) {
    return Status::Corruption("SSH signature armor is too large (" + std::to_string(armored.size()) + " bytes)");
  }
  std::string_view text = Trim(armored);
  if (text.substr(0, kBegin.size()) != kBegin) {
    return Status::Corruption("SSH signature does not start with " + std::string(kBegin));
  }
  text.remove_prefix(kBegin.size());
  size_t end = text.find(kEnd);
  if (end == std::string_view::npos) return Status::Corruption("SSH signature has no " + std::string(kEnd) + " line");
  if (!Trim(text.substr(end + kEnd.size())).empty()) {
    return Status::Corruption("SSH signature has data after " + std::string(kEnd));
  }
  auto blob = Base64Decode(Trim(text.substr(0, end)), "\r\n \t");
  if (!blob.ok()) return Status::Corruption("SSH signature: invalid base64 body");
  return ParseSshsigBlob(*blob);
}

Result<SshSignature> ParseSshsigBlob(std::string_view binary) {
  if (binary.size() > kMaxArmorBytes) return Status::Corruption("SSH signature blob is too large");
  if (binary.substr(0, kMagic.size()) != kMagic) return Status::Corruption("SSH signature: missing SSHSIG magic");
  SshReader reader(binary.substr(kMagic.size()));
  auto version = reader.ReadU32("SSHSIG version");
  if (!version.ok()) return version.status();
  if (*version != kVersion) {
    return Status::Corruption("SSH signature version " + std::to_string(*version) + " is not supported (only 1)");
  }
  SshSignature sig;
  auto key_blob = reader.ReadString("SSHSIG public key");
  if (!key_blob.ok()) return key_blob.status();
  auto key = SshPublicKeyFromBlob(*key_blob);
  if (!key.ok()) return key.status().Prefixed("SSH signature public key");
  sig.key = std::move(*key);
  auto ns = reader.ReadString("SSHSIG namespace");
  if (!ns.ok()) return ns.status();
  if (ns->empty()) return Status::Corruption("SSH signature has an empty namespace");
  sig.ns = std::move(*ns);
  auto reserved = reader.ReadString("SSHSIG reserved field");
  if (!reserved.ok()) return reserved.status();
  sig.reserved = std::move(*reserved);
  auto hash = reader.ReadString("SSHSIG hash algorithm");
  if (!hash.ok()) return hash.status();
  sig.hash_alg = std::move(*hash);
  auto encoded = reader.ReadString("SSHSIG signature");
  if (!encoded.ok()) return encoded.status();
  if (!reader.AtEnd()) return Status::Corruption("SSH signature has trailing bytes");

  SshReader sig_reader(*encoded);
  auto sig_type = sig_reader.ReadString("signature type");
  if (!sig_type.ok()) return sig_type.status();
  sig.sig_type = std::move(*sig_type);
  auto sig_blob = sig_reader.ReadString("signature bytes");
  if (!sig_blob.ok()) return sig_blob.status();
  sig.sig_blob = std::move(*sig_blob);
  if (IsSecurityKeyType(sig.sig_type)) {
    auto flags = sig_reader.ReadByte("security key flags");
    if (!flags.ok()) return flags.status();
    auto counter = sig_reader.ReadU32("security key counter");
    if (!counter.ok()) return counter.status();
    sig.sk_flags = *flags;
    sig.sk_counter = *counter;
  }
  sig.sig_extra = std::string(sig_reader.rest());
  return sig;
}

std::string SshsigSignedData(std::string_view ns, std::string_view hash_alg, std::string_view message) {
  const auto* m = reinterpret_cast<const unsigned char*>(message.data());
  std::string digest;
  if (hash_alg == "sha256") {
    digest.resize(crypto_hash_sha256_BYTES);
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()), m, message.size());
  } else {
    digest.resize(crypto_hash_sha512_BYTES);
    crypto_hash_sha512(reinterpret_cast<unsigned char*>(digest.data()), m, message.size());
  }
  std::string out(kMagic);
  AppendSshString(out, ns);
  AppendSshString(out, "");  // reserved: OpenSSH always signs an empty string here
  AppendSshString(out, hash_alg);
  AppendSshString(out, digest);
  return out;
}

std::string SerializeSshsig(const SshSignature& sig) {
  std::string encoded;
  AppendSshString(encoded, sig.sig_type);
  AppendSshString(encoded, sig.sig_blob);
  if (IsSecurityKeyType(sig.sig_type)) {
    encoded.push_back(static_cast<char>(sig.sk_flags));
    AppendU32(encoded, sig.sk_counter);
  }
  encoded += sig.sig_extra;

  std::string out(kMagic);
  AppendU32(out, kVersion);
  AppendSshString(out, sig.key.blob);
  AppendSshString(out, sig.ns);
  AppendSshString(out, sig.reserved);
  AppendSshString(out, sig.hash_alg);
  AppendSshString(out, encoded);
  return out;
}

std::string ArmorSshsig(std::string_view blob) {
  std::string b64 = Base64Encode(blob);
  std::string out(kBegin);
  out += '\n';
  for (size_t i = 0; i < b64.size(); i += 70) {
    out += b64.substr(i, 70);
    out += '\n';
  }
  out += kEnd;
  out += '\n';
  return out;
}

Status VerifySshsig(const SshSignature& sig, std::string_view message, std::string_view expected_namespace) {
  PG_RETURN_IF_ERROR(EnsureSodium());
  if (sig.ns != expected_namespace) {
    return Status::InvalidArgument("signature namespace is \"" + sig.ns + "\", expected \"" +
                                   std::string(expected_namespace) + "\"");
  }
  if (sig.hash_alg != "sha256" && sig.hash_alg != "sha512") {
    return Status::Corruption("SSH signature hash algorithm \"" + sig.hash_alg + "\" is not allowed");
  }
  if (sig.key.type != "ssh-ed25519" && sig.key.type != "sk-ssh-ed25519@openssh.com") {
    return Status::InvalidArgument(std::string(kUnsupportedPrefix) + sig.key.type);
  }
  auto parts = Ed25519Parts(sig.key);
  if (!parts.ok()) return parts.status();
  if (sig.sig_type != sig.key.type) {
    return Status::Corruption("signature type " + sig.sig_type + " does not match key type " + sig.key.type);
  }
  if (sig.sig_blob.size() != crypto_sign_BYTES) {
    return Status::Corruption("Ed25519 signature has " + std::to_string(sig.sig_blob.size()) + " bytes, not 64");
  }
  if (!sig.sig_extra.empty()) return Status::Corruption("trailing bytes in the Ed25519 signature");

  std::string signed_data = SshsigSignedData(sig.ns, sig.hash_alg, message);
  if (parts->security_key) {
    // FIDO authenticators sign sha256(application) || flags || counter || sha256(data)
    // (OpenSSH PROTOCOL.u2f, ssh-ed25519-sk.c).
    unsigned char app_hash[crypto_hash_sha256_BYTES];
    unsigned char data_hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(app_hash, reinterpret_cast<const unsigned char*>(parts->application.data()),
                       parts->application.size());
    crypto_hash_sha256(data_hash, reinterpret_cast<const unsigned char*>(signed_data.data()), signed_data.size());
    std::string sk_data(reinterpret_cast<const char*>(app_hash), sizeof app_hash);
    sk_data.push_back(static_cast<char>(sig.sk_flags));
    AppendU32(sk_data, sig.sk_counter);
    sk_data.append(reinterpret_cast<const char*>(data_hash), sizeof data_hash);
    signed_data = std::move(sk_data);
  }
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.sig_blob.data()),
                                  reinterpret_cast<const unsigned char*>(signed_data.data()), signed_data.size(),
                                  reinterpret_cast<const unsigned char*>(parts->public_key.data())) != 0) {
    return Status::Corruption("SSH signature does not verify with key " + sig.key.Fingerprint());
  }
  return Status::Ok();
}

bool IsUnsupportedKeyType(const Status& status) {
  return status.code() == Status::Code::kInvalidArgument &&
         status.message().compare(0, kUnsupportedPrefix.size(), kUnsupportedPrefix) == 0;
}

}  // namespace pushgate::signatures
