#include "signatures/verifier.h"

#include <algorithm>
#include <cctype>

#include "signatures/commit_signature.h"
#include "signatures/external_verifiers.h"
#include "signatures/openpgp.h"
#include "signatures/sodium_init.h"
#include "signatures/sshsig.h"

namespace pushgate::signatures {
namespace {

constexpr std::string_view kGitNamespace = "git";

SignatureVerdict Make(SignatureStatus status, std::string detail, std::string fingerprint = "",
                      std::string signer = "") {
  return SignatureVerdict{status, std::move(signer), std::move(fingerprint), std::move(detail), {}};
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// The first identity one of the certificate's e-mails matches, or "".
std::string MatchEmail(const PgpCertificate& cert, const std::vector<std::string>& identities) {
  for (const auto& id : identities) {
    for (const auto& email : cert.emails) {
      if (!email.empty() && EqualsIgnoreCase(email, id)) return email;
    }
  }
  return "";
}

}  // namespace

const char* StatusName(SignatureStatus status) {
  switch (status) {
    case SignatureStatus::kGood: return "good";
    case SignatureStatus::kBad: return "bad";
    case SignatureStatus::kUnknownKey: return "unknown-key";
    case SignatureStatus::kPrincipalMismatch: return "principal-mismatch";
    case SignatureStatus::kExpiredKey: return "expired-key";
    case SignatureStatus::kUnsupported: return "unsupported";
    case SignatureStatus::kUnsigned: return "unsigned";
  }
  return "bad";
}

Result<std::unique_ptr<CommitVerifier>> CommitVerifier::Create(const TrustSettings& settings) {
  PG_RETURN_IF_ERROR(EnsureSodium());
  std::unique_ptr<CommitVerifier> v(new CommitVerifier(settings));
  if (!settings.allowed_signers_path.empty()) {
    auto signers = AllowedSigners::Load(settings.allowed_signers_path);
    if (!signers.ok()) return signers.status();
    v->ssh_signers_ = std::move(*signers);
  }
  if (!settings.openpgp_keys_path.empty()) {
    auto keys = PgpKeyring::Load(settings.openpgp_keys_path);
    if (!keys.ok()) return keys.status();
    v->pgp_keys_ = std::move(*keys);
  }
  if (settings.gpg_fallback) {
    if (settings.gpg_keyring.empty()) return Status::InvalidArgument("signers.gpg_fallback needs a keyring");
    auto ring = PgpKeyring::Load(settings.gpg_keyring);
    if (!ring.ok()) return ring.status().Prefixed("gpg fallback keyring");
    v->gpg_keyring_ = std::move(*ring);
  }
  return v;
}

SignatureVerdict CommitVerifier::Verify(std::string_view raw_commit, int64_t now,
                                        const std::vector<std::string>& also_accept) const {
  auto split = SplitCommitSignature(raw_commit);
  if (!split.ok()) return Make(SignatureStatus::kBad, split.status().message());
  if (split->signature_headers == 0) return Make(SignatureStatus::kUnsigned, "commit is not signed");
  if (split->signature_headers > 1) {
    return Make(SignatureStatus::kBad, "commit carries more than one signature header");
  }
  std::vector<std::string> identities;
  if (!split->committer_email.empty()) identities.push_back(split->committer_email);
  identities.insert(identities.end(), also_accept.begin(), also_accept.end());
  if (identities.empty()) return Make(SignatureStatus::kPrincipalMismatch, "commit has no committer e-mail");

  switch (split->kind) {
    case SignatureKind::kSsh:
      return VerifySsh(split->signature, split->payload, identities, now);
    case SignatureKind::kOpenPgp:
      return VerifyOpenPgp(split->signature, split->payload, identities, now);
    case SignatureKind::kX509:
      return Make(SignatureStatus::kUnsupported, "X.509/CMS signatures (gpgsm, gitsign) are not supported");
    default:
      return Make(SignatureStatus::kUnsupported, "unrecognised signature format");
  }
}

SignatureVerdict CommitVerifier::VerifySsh(std::string_view signature, std::string_view payload,
                                           const std::vector<std::string>& identities, int64_t now) const {
  auto sig = ParseArmoredSshsig(signature);
  if (!sig.ok()) return Make(SignatureStatus::kBad, "malformed SSH signature: " + sig.status().message());
  std::string fp = sig->key.Fingerprint();
  if (sig->ns != kGitNamespace) {
    return Make(SignatureStatus::kBad, "SSH signature namespace is \"" + sig->ns + "\", not \"git\"", fp);
  }
  if (!ssh_signers_) return Make(SignatureStatus::kUnknownKey, "no allowed_signers file is configured", fp);

  bool listed = false, ca_listed = false;
  for (const auto& entry : ssh_signers_->entries()) {
    if (entry.cert_authority) ca_listed = true;
    if (!entry.cert_authority && entry.key.blob == sig->key.blob) listed = true;
  }
  if (!listed) {
    if (ca_listed && sig->key.type.find("-cert-v01@openssh.com") != std::string::npos) {
      return Make(SignatureStatus::kUnsupported, "SSH certificates (cert-authority) are not supported", fp);
    }
    return Make(SignatureStatus::kUnknownKey, "SSH key " + fp + " is not in allowed_signers", fp);
  }
  auto entries = ssh_signers_->Find(sig->key, kGitNamespace, now);
  if (entries.empty()) {
    for (const auto& entry : ssh_signers_->entries()) {
      if (entry.key.blob != sig->key.blob) continue;
      if ((entry.valid_after && now < *entry.valid_after) || (entry.valid_before && now > *entry.valid_before)) {
        return Make(SignatureStatus::kExpiredKey,
                    "SSH key " + fp + " is outside its valid-after/valid-before window (allowed_signers line " +
                        std::to_string(entry.line) + ")",
                    fp);
      }
    }
    return Make(SignatureStatus::kUnknownKey, "SSH key " + fp + " is not allowed for namespace \"git\"", fp);
  }
  std::string principal;
  for (const auto& id : identities) {
    for (const auto* entry : entries) {
      if (AllowedSigners::PrincipalMatches(*entry, id)) {
        principal = id;
        break;
      }
    }
    if (!principal.empty()) break;
  }
  if (principal.empty()) {
    return Make(SignatureStatus::kPrincipalMismatch,
                "SSH key " + fp + " belongs to " + Join(entries[0]->principals) + ", not committer " + identities[0], fp);
  }

  Status native = VerifySshsig(*sig, payload, kGitNamespace);
  std::vector<std::string> identities_of_signer;
  for (const auto* entry : entries) {
    for (auto& p : LiteralPrincipals(*entry)) identities_of_signer.push_back(std::move(p));
  }
  auto good = [&](std::string detail) {
    SignatureVerdict v = Make(SignatureStatus::kGood, std::move(detail), fp, principal);
    v.identities = identities_of_signer;
    v.identities.push_back(principal);
    return v;
  };
  if (native.ok()) return good("good SSH signature by " + principal);
  if (!IsUnsupportedKeyType(native)) return Make(SignatureStatus::kBad, native.message(), fp);
  if (!settings_.ssh_fallback) {
    return Make(SignatureStatus::kUnsupported, sig->key.type + " signature: enable signers.ssh_fallback", fp);
  }
  auto external = VerifyWithSshKeygen(settings_.allowed_signers_path, principal, kGitNamespace, signature, payload);
  if (!external.ok()) return Make(SignatureStatus::kBad, "ssh-keygen fallback failed: " + external.status().message(), fp);
  if (external->outcome == ExternalVerdict::Outcome::kGood) {
    return good("good SSH signature by " + principal + " (ssh-keygen)");
  }
  return Make(SignatureStatus::kBad, "ssh-keygen: " + external->detail, fp);
}

SignatureVerdict CommitVerifier::VerifyOpenPgp(std::string_view signature, std::string_view payload,
                                               const std::vector<std::string>& identities, int64_t now) const {
  auto sig = ParseArmoredPgpSignature(signature);
  if (!sig.ok()) return Make(SignatureStatus::kBad, "malformed OpenPGP signature: " + sig.status().message());
  std::string issuer = PgpHex(sig->issuer_fingerprint.empty() ? sig->issuer_key_id : sig->issuer_fingerprint);
  if (sig->sig_type != 0x00) {
    return Make(SignatureStatus::kBad, "OpenPGP signature is not a binary document signature", issuer);
  }
  bool native_algo = sig->pubkey_algo == kPgpAlgoEdDsaLegacy || sig->pubkey_algo == kPgpAlgoEd25519;
  if (!native_algo) {
    if (!settings_.gpg_fallback) {
      return Make(SignatureStatus::kUnsupported,
                  PgpAlgorithmName(sig->pubkey_algo) + " signature: enable signers.gpg_fallback", issuer);
    }
    return VerifyWithGpgFallback(signature, payload, identities);
  }
  std::optional<PgpKeyring::Match> match;
  if (pgp_keys_) match = pgp_keys_->FindIssuer(*sig);
  if (!match) {
    if (settings_.gpg_fallback) return VerifyWithGpgFallback(signature, payload, identities);
    return Make(SignatureStatus::kUnknownKey, "OpenPGP key " + issuer + " is not among the trusted keys", issuer);
  }
  const PgpCertificate& cert = *match->cert;
  const PgpKeyState& key = *match->key;
  std::string fp = PgpHex(key.key.fingerprint);
  if (!key.bound) return Make(SignatureStatus::kUnknownKey, "subkey " + fp + " has no valid binding signature", fp);
  if (cert.primary.revoked || key.revoked) return Make(SignatureStatus::kExpiredKey, "key " + fp + " is revoked", fp);
  for (const auto* k : {&cert.primary, &key}) {
    if (k->expires_at && now > *k->expires_at) {
      return Make(SignatureStatus::kExpiredKey, "key " + PgpHex(k->key.fingerprint) + " has expired", fp);
    }
  }
  if (!key.can_sign) return Make(SignatureStatus::kUnknownKey, "key " + fp + " is not a signing key", fp);
  std::string email = MatchEmail(cert, identities);
  if (email.empty()) {
    return Make(SignatureStatus::kPrincipalMismatch,
                "OpenPGP key " + fp + " belongs to " + Join(cert.emails) + ", not committer " + identities[0], fp);
  }
  Status s = VerifyPgpSignatureAt(*sig, key.key, payload, now);  // push time, as every other check
  if (IsExpiredPgp(s)) return Make(SignatureStatus::kExpiredKey, s.message(), fp);
  if (s.ok()) {
    SignatureVerdict v = Make(SignatureStatus::kGood, "good OpenPGP signature by " + email, fp, email);
    v.identities = cert.emails;
    return v;
  }
  if (IsUnsupportedPgp(s)) {
    if (settings_.gpg_fallback) return VerifyWithGpgFallback(signature, payload, identities);
    return Make(SignatureStatus::kUnsupported, s.message() + ": enable signers.gpg_fallback", fp);
  }
  return Make(SignatureStatus::kBad, s.message(), fp);
}

SignatureVerdict CommitVerifier::VerifyWithGpgFallback(std::string_view signature, std::string_view payload,
                                                       const std::vector<std::string>& identities) const {
  auto external = VerifyWithGpg(settings_.gpg_keyring, signature, payload);
  if (!external.ok()) return Make(SignatureStatus::kBad, "gpg fallback failed: " + external.status().message());
  std::string fp = external->fingerprint;
  switch (external->outcome) {
    case ExternalVerdict::Outcome::kBad:
      return Make(SignatureStatus::kBad, "gpg: " + external->detail, fp);
    case ExternalVerdict::Outcome::kUnknownKey:
      return Make(SignatureStatus::kUnknownKey, "gpg: signing key is not in the keyring", fp);
    case ExternalVerdict::Outcome::kExpiredKey:
      return Make(SignatureStatus::kExpiredKey, "gpg: signing key has expired or is revoked", fp);
    case ExternalVerdict::Outcome::kGood:
      break;
  }
  std::optional<PgpKeyring::Match> match;
  if (gpg_keyring_) {
    match = gpg_keyring_->FindFingerprint(external->primary_fingerprint.empty() ? fp : external->primary_fingerprint);
  }
  if (!match) return Make(SignatureStatus::kUnknownKey, "gpg verified with key " + fp + " but its user ids are unknown", fp);
  std::string email = MatchEmail(*match->cert, identities);
  if (email.empty()) {
    return Make(SignatureStatus::kPrincipalMismatch,
                "OpenPGP key " + fp + " belongs to " + Join(match->cert->emails) + ", not committer " + identities[0],
                fp);
  }
  SignatureVerdict v = Make(SignatureStatus::kGood, "good OpenPGP signature by " + email + " (gpg)", fp, email);
  v.identities = match->cert->emails;
  return v;
}

}  // namespace pushgate::signatures
