#include "signatures/breakglass_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/subprocess.h"
#include "signatures/breakglass_token.h"
#include "signatures/sodium_init.h"
#include "signatures/ssh_key.h"
#include "signatures/ssh_wire.h"
#include "signatures/sshsig.h"

namespace pushgate {
namespace {

using signatures::SshPublicKey;
using signatures::SshSignature;

constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr const char* kHashAlg = "sha512";

bool ValidPrincipal(const std::string& p) {
  if (p.empty() || p.size() > 100) return false;
  return std::all_of(p.begin(), p.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("._@+-").find(c) != std::string_view::npos;
  });
}

// The OpenSSH public key for a raw Ed25519 public key.
Result<SshPublicKey> Ed25519PublicKey(const unsigned char* pk) {
  std::string blob;
  signatures::AppendSshString(blob, "ssh-ed25519");
  signatures::AppendSshString(blob, std::string_view(reinterpret_cast<const char*>(pk), crypto_sign_PUBLICKEYBYTES));
  return signatures::SshPublicKeyFromBlob(blob);
}

// Writes data to a new file (never replacing one) with the given mode.
Status WriteNewFile(const std::string& path, const char* data, size_t size, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return Status::InvalidArgument(path + " already exists; not overwriting it");
    return Status::IOError(path + ": " + strerror(errno));
  }
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = strerror(errno);
      close(fd);
      unlink(path.c_str());
      return Status::IOError(path + ": " + err);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) return Status::IOError(path + ": " + strerror(errno));
  return Status::Ok();
}

// An approver key loaded from a pushgate key file.
struct LoadedKey {
  std::string principal;
  SecretBuffer secret{crypto_sign_SECRETKEYBYTES};  // seed || public key
  unsigned char pk[crypto_sign_PUBLICKEYBYTES] = {};
};

// Reads up to kMaxKeyFileBytes of path into secret memory; sets *size to the bytes read.
Status ReadSecretFile(const std::string& path, SecretBuffer* buf, size_t* size) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno == ENOENT ? Status::NotFound(path + ": no such key file") : Status::IOError(path + ": " + strerror(errno));
  }
  *size = 0;
  while (*size < buf->size()) {
    ssize_t n = read(fd, buf->data() + *size, buf->size() - *size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = strerror(errno);
      close(fd);
      return Status::IOError(path + ": " + err);
    }
    if (n == 0) break;
    *size += static_cast<size_t>(n);
  }
  close(fd);
  return Status::Ok();
}

bool IsPushgateKey(const SecretBuffer& buf, size_t size) {
  size_t magic = strlen(kBreakglassKeyMagic);
  return size > magic && memcmp(buf.data(), kBreakglassKeyMagic, magic) == 0 && buf.data()[magic] == ' ';
}

// Parses "pushgate-breakglass-key-v1 <principal> <base64 seed>\n" held in secret memory.
Status ParsePushgateKey(const std::string& path, const SecretBuffer& buf, size_t size, LoadedKey* key) {
  auto bad = [&](const std::string& what) { return Status::InvalidArgument(path + ": " + what); };
  const char* text = reinterpret_cast<const char*>(buf.data());
  size_t end = size;
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r')) --end;
  if (std::find(text, text + end, '\n') != text + end) return bad("approver key file has more than one line");
  size_t p1 = strlen(kBreakglassKeyMagic) + 1;
  const char* sp = std::find(text + p1, text + end, ' ');
  if (sp == text + end) return bad("approver key file has no key (expected: " + std::string(kBreakglassKeyMagic) +
                                   " <principal> <base64 seed>)");
  key->principal.assign(text + p1, sp);
  if (!ValidPrincipal(key->principal)) return bad("approver key file has an invalid principal");
  SecretBuffer seed(crypto_sign_SEEDBYTES + 8);
  if (!seed.ok()) return Status::Internal("cannot allocate secure memory");
  size_t seed_len = 0;
  const char* b64_end = nullptr;
  if (sodium_base642bin(seed.data(), seed.size(), sp + 1, static_cast<size_t>(text + end - sp - 1), nullptr,
                        &seed_len, &b64_end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      b64_end != text + end || seed_len != crypto_sign_SEEDBYTES) {
    return bad("approver key file does not hold a base64 32-byte Ed25519 seed");
  }
  if (crypto_sign_seed_keypair(key->pk, key->secret.data(), seed.data()) != 0) {
    return Status::Internal("Ed25519 key derivation failed");
  }
  return Status::Ok();
}

Result<std::string> SignNatively(const std::string& message, const LoadedKey& key) {
  auto pub = Ed25519PublicKey(key.pk);
  if (!pub.ok()) return pub.status();
  std::string to_sign = signatures::SshsigSignedData(kBreakglassNamespace, kHashAlg, message);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(),
                       key.secret.data());
  SshSignature s;
  s.key = *pub;
  s.ns = kBreakglassNamespace;
  s.hash_alg = kHashAlg;
  s.sig_type = "ssh-ed25519";
  s.sig_blob = std::string(reinterpret_cast<const char*>(sig), sizeof sig);
  return signatures::SerializeSshsig(s);
}

Result<std::string> SignWithSshKeygen(const std::string& message, const std::string& key_path,
                                      const std::string& ssh_keygen) {
  ProcessOptions options;
  options.stdin_data = message;
  options.timeout = std::chrono::seconds(60);
  auto run = RunProcess({ssh_keygen, "-q", "-Y", "sign", "-f", key_path, "-n", kBreakglassNamespace}, options);
  if (!run.ok()) return run.status().Prefixed("cannot run " + ssh_keygen);
  if (run->timed_out) return Status::Timeout(ssh_keygen + " -Y sign did not finish within 60 seconds");
  if (!run->ok()) {
    std::string err = run->err;
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
    return Status::InvalidArgument(key_path + ": ssh-keygen could not sign: " + err +
                                   " (a passphrase-protected key must be loaded in ssh-agent and given as its .pub file)");
  }
  auto parsed = signatures::ParseArmoredSshsig(run->out);
  if (!parsed.ok()) return parsed.status().Prefixed("signature from ssh-keygen");
  return signatures::SerializeSshsig(*parsed);
}

}  // namespace

SecretBuffer::SecretBuffer(size_t size) {
  if (!signatures::EnsureSodium().ok()) return;
  data_ = static_cast<unsigned char*>(sodium_malloc(size));
  if (data_) size_ = size;
}

SecretBuffer::~SecretBuffer() {
  if (data_) sodium_free(data_);  // wipes before freeing
}

Result<BreakglassKeyInfo> BreakglassKeygen(const std::string& out_path, const std::string& principal) {
  if (!ValidPrincipal(principal)) {
    return Status::InvalidArgument("approver principal \"" + principal +
                                   "\" must be 1 to 100 letters, digits or ._@+- characters");
  }
  if (out_path.empty()) return Status::InvalidArgument("no output path for the approver key");
  PG_RETURN_IF_ERROR(signatures::EnsureSodium());
  BreakglassKeyInfo info;
  info.secret_path = out_path;
  info.public_path = out_path + ".pub";
  info.principal = principal;
  if (access(info.public_path.c_str(), F_OK) == 0) {
    return Status::InvalidArgument(info.public_path + " already exists; not overwriting it");
  }

  SecretBuffer seed(crypto_sign_SEEDBYTES);
  SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  if (!seed.ok() || !sk.ok()) return Status::Internal("cannot allocate secure memory");
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  randombytes_buf(seed.data(), seed.size());
  crypto_sign_seed_keypair(pk, sk.data(), seed.data());

  auto pub = Ed25519PublicKey(pk);
  if (!pub.ok()) return pub.status();
  info.public_key_line = pub->AuthorizedKeyLine() + " " + principal;
  info.fingerprint = pub->Fingerprint();
  info.approvers_line = principal + " namespaces=\"" + kBreakglassNamespace + "\" " + pub->AuthorizedKeyLine();

  // The secret line is assembled in secure memory only.
  std::string head = std::string(kBreakglassKeyMagic) + " " + principal + " ";
  size_t b64_len = sodium_base64_ENCODED_LEN(crypto_sign_SEEDBYTES, sodium_base64_VARIANT_ORIGINAL);
  SecretBuffer line(head.size() + b64_len + 1);
  if (!line.ok()) return Status::Internal("cannot allocate secure memory");
  memcpy(line.data(), head.data(), head.size());
  sodium_bin2base64(reinterpret_cast<char*>(line.data() + head.size()), b64_len, seed.data(), seed.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  size_t used = head.size() + b64_len - 1;  // without the base64 terminator
  line.data()[used++] = '\n';

  PG_RETURN_IF_ERROR(WriteNewFile(out_path, reinterpret_cast<const char*>(line.data()), used, 0600));
  std::string pub_text = info.public_key_line + "\n";
  Status wrote_pub = WriteNewFile(info.public_path, pub_text.data(), pub_text.size(), 0644);
  if (!wrote_pub.ok()) {
    unlink(out_path.c_str());
    return wrote_pub;
  }
  return info;
}

Result<std::string> SignBreakglassMessage(const std::string& message, const std::string& key_path,
                                          const std::string& ssh_keygen) {
  SecretBuffer file(kMaxKeyFileBytes);
  if (!file.ok()) return Status::Internal("cannot allocate secure memory");
  size_t size = 0;
  PG_RETURN_IF_ERROR(ReadSecretFile(key_path, &file, &size));
  if (IsPushgateKey(file, size)) {
    LoadedKey key;
    if (!key.secret.ok()) return Status::Internal("cannot allocate secure memory");
    PG_RETURN_IF_ERROR(ParsePushgateKey(key_path, file, size, &key));
    return SignNatively(message, key);
  }
  return SignWithSshKeygen(message, key_path, ssh_keygen);
}

Result<std::string> SignBreakglassToken(const std::string& payload_bytes, const std::string& key_path,
                                        const std::string& ssh_keygen) {
  auto payload = ParseBreakglassPayload(payload_bytes);
  if (!payload.ok()) return payload.status();
  auto sig = SignBreakglassMessage(payload_bytes, key_path, ssh_keygen);
  if (!sig.ok()) return sig.status();
  BreakglassToken token;
  token.payload_bytes = payload_bytes;
  token.payload = *payload;
  token.signatures.push_back(*sig);
  return EncodeBreakglassToken(token);
}

Result<std::string> CosignBreakglassToken(const std::string& text, const std::string& key_path,
                                          const std::string& ssh_keygen) {
  auto token = ParseBreakglassToken(text);
  if (!token.ok()) return token.status();
  auto sig = SignBreakglassMessage(token->payload_bytes, key_path, ssh_keygen);
  if (!sig.ok()) return sig.status();
  auto mine = signatures::ParseSshsigBlob(*sig);
  if (!mine.ok()) return mine.status().Prefixed("new signature");
  // One signature per key: a second signature by the same key replaces nothing and adds nothing.
  for (const auto& existing : token->signatures) {
    auto theirs = signatures::ParseSshsigBlob(existing);
    if (theirs.ok() && theirs->key.blob == mine->key.blob) return EncodeBreakglassToken(*token);
  }
  if (token->signatures.size() >= kMaxTokenSignatures) {
    return Status::InvalidArgument("break-glass token already carries " + std::to_string(kMaxTokenSignatures) +
                                   " signatures");
  }
  token->signatures.push_back(*sig);
  return EncodeBreakglassToken(*token);
}

}  // namespace pushgate
