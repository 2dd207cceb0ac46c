#include "signatures/openpgp_keyring.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "base/files.h"

namespace pushgate::signatures {
namespace {

constexpr uint64_t kMaxKeyringBytes = 16ull << 20;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int64_t> ExpiryFrom(const PgpPublicKey& key, const PgpSignature& sig) {
  if (!sig.key_expiration_seconds || *sig.key_expiration_seconds == 0) return std::nullopt;
  return key.created + *sig.key_expiration_seconds;
}

// Builds certificates from a packet sequence: primary key, then its signatures, user ids and
// subkeys, each followed by their signatures.
class CertificateBuilder {
 public:
  Status Add(const PgpPacket& packet) {
    switch (packet.tag) {
      case 6: {  // public key: starts a new certificate
        Finish();
        auto key = ParsePgpPublicKeyPacket(packet.body);
        if (!key.ok()) return key.status();
        current_ = PgpCertificate{};
        current_->primary.key = std::move(*key);
        current_->self_signatures_checked = !current_->primary.key.ed25519.empty();
        newest_uid_sig_ = -1;
        section_ = Section::kPrimary;
        return Status::Ok();
      }
      case 5: case 7:
        return Status::InvalidArgument("secret key material does not belong in a trusted keyring");
      case 12: case 10:  // trust and marker packets carry nothing for us
        return Status::Ok();
    }
    if (!current_) return Status::Corruption("packet of type " + std::to_string(packet.tag) + " before any public key");
    switch (packet.tag) {
      case 13:
        pending_uid_ = packet.body;
        section_ = Section::kUserId;
        if (!current_->self_signatures_checked) AcceptUserId(pending_uid_);
        return Status::Ok();
      case 17:
        section_ = Section::kOther;
        return Status::Ok();
      case 14: {
        auto key = ParsePgpPublicKeyPacket(packet.body);
        if (!key.ok()) return key.status();
        PgpKeyState sub;
        sub.key = std::move(*key);
        sub.bound = !current_->self_signatures_checked;  // unverifiable certificates: taken as listed
        current_->subkeys.push_back(std::move(sub));
        section_ = Section::kSubkey;
        return Status::Ok();
      }
      case 2:
        return AddSignature(packet.body);
      default:
        return Status::Ok();  // other packet types do not affect trust
    }
  }

  std::vector<PgpCertificate> Take() {
    Finish();
    return std::move(certs_);
  }

 private:
  enum class Section { kPrimary, kUserId, kSubkey, kOther };

  void AcceptUserId(const std::string& uid) {
    if (std::find(current_->user_ids.begin(), current_->user_ids.end(), uid) != current_->user_ids.end()) return;
    current_->user_ids.push_back(uid);
    current_->emails.push_back(PgpUserIdEmail(uid));
  }

  // Self-signatures are checked without their own expiration time: the key's expiry (key
  // expiration subpacket) and revocations come from them, and dropping an expired one would
  // forget an expiry or a revocation rather than end the key's validity.
  Status AddSignature(std::string_view body) {
    if (!current_->self_signatures_checked) return Status::Ok();
    auto sig = ParsePgpSignaturePacket(body);
    if (!sig.ok()) return Status::Ok();  // an unreadable third-party signature is ignored
    PgpKeyState& primary = current_->primary;
    std::string prefix = PgpKeyHashPrefix(primary.key);
    bool from_primary = sig->issuer_fingerprint.empty() && sig->issuer_key_id.empty()
                            ? true
                            : PgpIssuerMatches(*sig, primary.key);
    if (!from_primary) return Status::Ok();  // certifications by others do not matter here
    int64_t created = sig->creation_time.value_or(0);
    if (section_ == Section::kPrimary) {
      if (sig->sig_type == 0x1F && VerifyPgpSignatureAt(*sig, primary.key, prefix, std::nullopt).ok()) {
        ApplyPrimary(*sig, created);
      } else if (sig->sig_type == 0x20 && VerifyPgpSignatureAt(*sig, primary.key, prefix, std::nullopt).ok()) {
        primary.revoked = true;
      }
    } else if (section_ == Section::kUserId) {
      if (sig->sig_type >= 0x10 && sig->sig_type <= 0x13 &&
          VerifyPgpSignatureAt(*sig, primary.key, prefix + PgpUserIdHashPrefix(pending_uid_), std::nullopt).ok()) {
        AcceptUserId(pending_uid_);
        ApplyPrimary(*sig, created);
      }
    } else if (section_ == Section::kSubkey) {
      PgpKeyState& sub = current_->subkeys.back();
      std::string data = prefix + PgpKeyHashPrefix(sub.key);
      if (sig->sig_type == 0x18 && VerifyPgpSignatureAt(*sig, primary.key, data, std::nullopt).ok()) {
        sub.bound = true;
        sub.expires_at = ExpiryFrom(sub.key, *sig);
        if (sig->key_flags) sub.can_sign = (*sig->key_flags & 0x02) != 0;
      } else if (sig->sig_type == 0x28 && VerifyPgpSignatureAt(*sig, primary.key, data, std::nullopt).ok()) {
        sub.revoked = true;
      }
    }
    return Status::Ok();
  }

  // The newest valid self-signature on the primary decides its expiry and flags.
  void ApplyPrimary(const PgpSignature& sig, int64_t created) {
    if (created < newest_uid_sig_) return;
    newest_uid_sig_ = created;
    current_->primary.expires_at = ExpiryFrom(current_->primary.key, sig);
    if (sig.key_flags) current_->primary.can_sign = (*sig.key_flags & 0x02) != 0;
  }

  void Finish() {
    if (current_) certs_.push_back(std::move(*current_));
    current_.reset();
  }

  std::vector<PgpCertificate> certs_;
  std::optional<PgpCertificate> current_;
  std::string pending_uid_;
  int64_t newest_uid_sig_ = -1;
  Section section_ = Section::kPrimary;
};

Status AddPackets(std::string_view binary, CertificateBuilder& builder) {
  auto packets = ParsePgpPackets(binary);
  if (!packets.ok()) return packets.status();
  for (const auto& p : *packets) PG_RETURN_IF_ERROR(builder.Add(p));
  return Status::Ok();
}

}  // namespace

std::string PgpUserIdEmail(std::string_view user_id) {
  size_t lt = user_id.rfind('<');
  if (lt != std::string_view::npos) {
    size_t gt = user_id.find('>', lt);
    if (gt != std::string_view::npos) return Lower(user_id.substr(lt + 1, gt - lt - 1));
  }
  if (user_id.find('@') != std::string_view::npos && user_id.find(' ') == std::string_view::npos) return Lower(user_id);
  return "";
}

Result<PgpKeyring> PgpKeyring::Parse(std::string_view data, std::string_view source) {
  CertificateBuilder builder;
  auto fail = [&](const Status& s) { return s.Prefixed(std::string(source)); };
  if (data.find("-----BEGIN PGP ") != std::string_view::npos) {
    size_t pos = 0;
    while ((pos = data.find("-----BEGIN PGP ", pos)) != std::string_view::npos) {
      auto armor = DearmorPgp(data.substr(pos), kMaxKeyringBytes);
      if (!armor.ok()) return fail(armor.status());
      if (armor->type != "PGP PUBLIC KEY BLOCK") {
        return fail(Status::InvalidArgument("expected PGP PUBLIC KEY BLOCK, found " + armor->type));
      }
      Status s = AddPackets(armor->data, builder);
      if (!s.ok()) return fail(s);
      size_t end = data.find("-----END ", pos);
      pos = end == std::string_view::npos ? data.size() : end + 9;
    }
  } else {
    Status s = AddPackets(data, builder);
    if (!s.ok()) return fail(s);
  }
  PgpKeyring ring;
  ring.certs_ = builder.Take();
  return ring;
}

Result<PgpKeyring> PgpKeyring::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    auto text = ReadFile(path, kMaxKeyringBytes);
    if (!text.ok()) return text.status().Prefixed("OpenPGP keys");
    return Parse(*text, path);
  }
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".asc" || ext == ".gpg" || ext == ".pgp" || ext == ".key")) {
      files.push_back(entry.path().string());
    }
  }
  if (ec) return Status::IOError("OpenPGP keys: cannot list " + path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  PgpKeyring ring;
  for (const auto& file : files) {
    auto text = ReadFile(file, kMaxKeyringBytes);
    if (!text.ok()) return text.status().Prefixed("OpenPGP keys");
    auto part = Parse(*text, file);
    if (!part.ok()) return part.status();
    for (auto& cert : part->certs_) ring.certs_.push_back(std::move(cert));
  }
  return ring;
}

std::optional<PgpKeyring::Match> PgpKeyring::FindIssuer(const PgpSignature& sig) const {
  for (const auto& cert : certs_) {
    if (PgpIssuerMatches(sig, cert.primary.key)) return Match{&cert, &cert.primary};
    for (const auto& sub : cert.subkeys) {
      if (PgpIssuerMatches(sig, sub.key)) return Match{&cert, &sub};
    }
  }
  return std::nullopt;
}

std::optional<PgpKeyring::Match> PgpKeyring::FindFingerprint(std::string_view hex) const {
  std::string want = Lower(hex);
  for (const auto& cert : certs_) {
    if (Lower(PgpHex(cert.primary.key.fingerprint)) == want) return Match{&cert, &cert.primary};
    for (const auto& sub : cert.subkeys) {
      if (Lower(PgpHex(sub.key.fingerprint)) == want) return Match{&cert, &sub};
    }
  }
  return std::nullopt;
}

}  // namespace pushgate::signatures
