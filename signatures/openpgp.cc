#include "signatures/openpgp.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "signatures/base64.h"
#include "signatures/sha1.h"
#include "signatures/sodium_init.h"

namespace pushgate::signatures {
namespace {

constexpr std::string_view kUnsupported = "unsupported OpenPGP ";
constexpr std::string_view kExpired = "OpenPGP signature expired";

// "2026-11-30 07:10:04 UTC".
std::string UtcTime(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (gmtime_r(&tt, &tm) == nullptr) return std::to_string(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}
constexpr size_t kMaxSignatureArmor = 64 * 1024;
// Ed25519Legacy curve OID 1.3.6.1.4.1.11591.15.1 (RFC 9580 §9.2).
constexpr std::string_view kEd25519LegacyOid = "\x2B\x06\x01\x04\x01\xDA\x47\x0F\x01";

// Bounds-checked reader over a packet body.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool Has(size_t n) const { return data_.size() >= n; }
  size_t left() const { return data_.size(); }
  std::string_view rest() const { return data_; }
  uint8_t Byte() {
    auto v = static_cast<uint8_t>(data_[0]);
    data_.remove_prefix(1);
    return v;
  }
  uint32_t Be(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(data_[i]);
    data_.remove_prefix(n);
    return v;
  }
  std::string_view Take(size_t n) {
    std::string_view v = data_.substr(0, n);
    data_.remove_prefix(n);
    return v;
  }

 private:
  std::string_view data_;
};

std::string_view TrimLine(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

void AppendBe32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

// Reads one subpacket area and records what verification needs.
Status ParseSubpackets(std::string_view area, bool hashed, PgpSignature& sig) {
  Reader r(area);
  while (r.left() > 0) {
    uint8_t o1 = r.Byte();
    uint32_t len;
    if (o1 < 192) {
      len = o1;
    } else if (o1 < 255) {
      if (!r.Has(1)) return Status::Corruption("truncated subpacket length");
      len = ((o1 - 192u) << 8) + r.Byte() + 192u;
    } else {
      if (!r.Has(4)) return Status::Corruption("truncated subpacket length");
      len = r.Be(4);
    }
    if (len == 0 || !r.Has(len)) return Status::Corruption("subpacket length runs past the end");
    uint8_t type_octet = r.Byte();
    bool critical = type_octet & 0x80;
    int type = type_octet & 0x7f;
    std::string_view value = r.Take(len - 1);
    switch (type) {
      case 2:
        if (value.size() != 4) return Status::Corruption("bad signature creation time subpacket");
        if (hashed) sig.creation_time = Reader(value).Be(4);
        break;
      case 3:
        if (value.size() != 4) return Status::Corruption("bad signature expiration subpacket");
        if (hashed) sig.expiration_seconds = Reader(value).Be(4);
        break;
      case 9:
        if (value.size() != 4) return Status::Corruption("bad key expiration subpacket");
        if (hashed) sig.key_expiration_seconds = Reader(value).Be(4);
        break;
      case 16:
        if (value.size() != 8) return Status::Corruption("bad issuer key id subpacket");
        if (hashed || sig.issuer_key_id.empty()) sig.issuer_key_id = std::string(value);
        break;
      case 27:
        if (hashed && !value.empty()) sig.key_flags = static_cast<uint8_t>(value[0]);
        break;
      case 33:
        if (value.size() != 21 && value.size() != 33) return Status::Corruption("bad issuer fingerprint subpacket");
        if (hashed || sig.issuer_fingerprint.empty()) sig.issuer_fingerprint = std::string(value.substr(1));
        break;
      // Known subpackets whose meaning does not change whether a commit signature is valid.
      case 4: case 5: case 6: case 7: case 11: case 12: case 20: case 21: case 22: case 23: case 24: case 25:
      case 26: case 28: case 29: case 30: case 31: case 32: case 34: case 35: case 37: case 39:
        break;
      default:
        if (critical && hashed) sig.unknown_critical = true;
        break;
    }
    // A critical notation (20) asserts something the verifier must understand; we understand none.
    if (type == 20 && critical && hashed) sig.unknown_critical = true;
  }
  return Status::Ok();
}

// Computes the digest of a signature over data; unsupported hashes are refused.
Result<std::string> SignatureDigest(const PgpSignature& sig, std::string_view data) {
  std::string trailer;
  trailer.push_back(static_cast<char>(sig.version));
  trailer.push_back('\xFF');
  AppendBe32(trailer, static_cast<uint32_t>(sig.hashed_fields.size()));
  auto feed = [&](auto& state, auto update) {
    auto put = [&](std::string_view s) { update(&state, reinterpret_cast<const unsigned char*>(s.data()), s.size()); };
    put(sig.salt);
    put(data);
    put(sig.hashed_fields);
    put(trailer);
  };
  std::string digest;
  if (sig.hash_algo == 8) {
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    feed(st, crypto_hash_sha256_update);
    digest.resize(crypto_hash_sha256_BYTES);
    crypto_hash_sha256_final(&st, reinterpret_cast<unsigned char*>(digest.data()));
  } else if (sig.hash_algo == 10) {
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    feed(st, crypto_hash_sha512_update);
    digest.resize(crypto_hash_sha512_BYTES);
    crypto_hash_sha512_final(&st, reinterpret_cast<unsigned char*>(digest.data()));
  } else if (sig.hash_algo == 1 || sig.hash_algo == 2 || sig.hash_algo == 3) {
    return Status::Corruption("OpenPGP signature uses a broken hash algorithm (" + std::to_string(sig.hash_algo) + ")");
  } else {
    return Status::InvalidArgument(std::string(kUnsupported) + "hash algorithm " + std::to_string(sig.hash_algo));
  }
  return digest;
}

// Reads an MPI and returns its value bytes; Corruption when it runs past the end.
Result<std::string_view> ReadMpi(Reader& r) {
  if (!r.Has(2)) return Status::Corruption("truncated MPI");
  uint32_t bits = r.Be(2);
  size_t bytes = (bits + 7) / 8;
  if (!r.Has(bytes)) return Status::Corruption("MPI runs past the end");
  return r.Take(bytes);
}

}  // namespace

uint32_t PgpCrc24(std::string_view data) {
  uint32_t crc = 0xB704CEu;
  for (unsigned char c : data) {
    crc ^= static_cast<uint32_t>(c) << 16;
    for (int i = 0; i < 8; ++i) {
      crc <<= 1;
      if (crc & 0x1000000u) crc ^= 0x1864CFBu;
    }
  }
  return crc & 0xFFFFFFu;
}

Result<PgpArmor> DearmorPgp(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Status::Corruption("OpenPGP armor is too large (" + std::to_string(text.size()) + " bytes)");
  }
  PgpArmor armor;
  size_t begin = text.find("-----BEGIN PGP ");
  if (begin == std::string_view::npos) return Status::Corruption("no -----BEGIN PGP line");
  size_t eol = text.find('\n', begin);
  std::string_view first = TrimLine(text.substr(begin, eol == std::string_view::npos ? eol : eol - begin));
  if (first.size() < 20 || first.substr(first.size() - 5) != "-----") return Status::Corruption("bad armor header line");
  armor.type = std::string(first.substr(11, first.size() - 16));
  std::string end_line = "-----END " + armor.type + "-----";
  std::string body;
  bool in_headers = true;
  bool ended = false;
  std::string crc_text;
  size_t pos = eol == std::string_view::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = TrimLine(text.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line == end_line) {
      ended = true;
      break;
    }
    if (in_headers) {
      if (line.empty()) {
        in_headers = false;
        continue;
      }
      if (line.find(": ") != std::string_view::npos) continue;  // "Version: ..." and the like
      in_headers = false;  // some producers omit the blank line when there are no headers
    }
    if (!line.empty() && line[0] == '=') {
      crc_text = std::string(line.substr(1));
      continue;
    }
    body.append(line);
  }
  if (!ended) return Status::Corruption("no " + end_line + " line");
  auto data = Base64Decode(body, " \t");
  if (!data.ok()) return Status::Corruption("invalid base64 in OpenPGP armor");
  armor.data = std::move(*data);
  if (!crc_text.empty()) {
    armor.has_crc = true;
    auto crc = Base64Decode(crc_text);
    armor.crc_matches = crc.ok() && crc->size() == 3 &&
                        ((static_cast<uint32_t>(static_cast<uint8_t>((*crc)[0])) << 16) |
                         (static_cast<uint32_t>(static_cast<uint8_t>((*crc)[1])) << 8) |
                         static_cast<uint8_t>((*crc)[2])) == PgpCrc24(armor.data);
  }
  return armor;
}

Result<std::vector<PgpPacket>> ParsePgpPackets(std::string_view binary) {
  std::vector<PgpPacket> packets;
  Reader r(binary);
  while (r.left() > 0) {
    uint8_t h = r.Byte();
    if (!(h & 0x80)) return Status::Corruption("not an OpenPGP packet header");
    PgpPacket p;
    size_t len;
    if (h & 0x40) {  // OpenPGP format
      p.tag = h & 0x3f;
      if (!r.Has(1)) return Status::Corruption("truncated packet length");
      uint8_t o1 = r.Byte();
      if (o1 < 192) {
        len = o1;
      } else if (o1 < 224) {
        if (!r.Has(1)) return Status::Corruption("truncated packet length");
        len = ((o1 - 192u) << 8) + r.Byte() + 192u;
      } else if (o1 == 255) {
        if (!r.Has(4)) return Status::Corruption("truncated packet length");
        len = r.Be(4);
      } else {
        return Status::Corruption("partial body lengths are not allowed here");
      }
    } else {  // legacy format
      p.tag = (h >> 2) & 0x0f;
      int lt = h & 3;
      if (lt == 3) {
        len = r.left();
      } else {
        int n = 1 << lt;
        if (!r.Has(n)) return Status::Corruption("truncated packet length");
        len = r.Be(n);
      }
    }
    if (!r.Has(len)) return Status::Corruption("packet length runs past the end");
    p.body = std::string(r.Take(len));
    packets.push_back(std::move(p));
  }
  return packets;
}

Result<PgpSignature> ParsePgpSignaturePacket(std::string_view body) {
  Reader r(body);
  PgpSignature sig;
  if (!r.Has(1)) return Status::Corruption("empty signature packet");
  sig.version = r.Byte();
  if (sig.version != 4 && sig.version != 6) {
    return Status::Corruption("OpenPGP signature version " + std::to_string(sig.version) + " is not supported");
  }
  int len_octets = sig.version == 6 ? 4 : 2;
  if (!r.Has(3 + len_octets)) return Status::Corruption("truncated signature packet");
  sig.sig_type = r.Byte();
  sig.pubkey_algo = r.Byte();
  sig.hash_algo = r.Byte();
  uint32_t hashed_len = r.Be(len_octets);
  if (!r.Has(hashed_len)) return Status::Corruption("hashed subpackets run past the end");
  std::string_view hashed = r.Take(hashed_len);
  sig.hashed_fields = std::string(body.substr(0, body.size() - r.left()));
  if (!r.Has(len_octets)) return Status::Corruption("truncated signature packet");
  uint32_t unhashed_len = r.Be(len_octets);
  if (!r.Has(unhashed_len)) return Status::Corruption("unhashed subpackets run past the end");
  std::string_view unhashed = r.Take(unhashed_len);
  if (!r.Has(2)) return Status::Corruption("truncated signature packet");
  sig.quick_check[0] = r.Byte();
  sig.quick_check[1] = r.Byte();
  if (sig.version == 6) {
    if (!r.Has(1)) return Status::Corruption("truncated signature salt");
    uint8_t salt_len = r.Byte();
    if (!r.Has(salt_len)) return Status::Corruption("signature salt runs past the end");
    sig.salt = std::string(r.Take(salt_len));
  }
  sig.material = std::string(r.rest());
  PG_RETURN_IF_ERROR(ParseSubpackets(hashed, true, sig));
  PG_RETURN_IF_ERROR(ParseSubpackets(unhashed, false, sig));
  return sig;
}

Result<PgpSignature> ParseArmoredPgpSignature(std::string_view armored) {
  auto armor = DearmorPgp(armored, kMaxSignatureArmor);
  if (!armor.ok()) return armor.status();
  if (armor->type != "PGP SIGNATURE") return Status::Corruption("expected a PGP SIGNATURE block, got " + armor->type);
  auto packets = ParsePgpPackets(armor->data);
  if (!packets.ok()) return packets.status();
  if (packets->size() != 1 || (*packets)[0].tag != 2) {
    return Status::Corruption("a detached signature must hold exactly one signature packet");
  }
  return ParsePgpSignaturePacket((*packets)[0].body);
}

Result<PgpPublicKey> ParsePgpPublicKeyPacket(std::string_view body) {
  Reader r(body);
  PgpPublicKey key;
  key.body = std::string(body);
  if (!r.Has(6)) return Status::Corruption("truncated public key packet");
  key.version = r.Byte();
  if (key.version != 4 && key.version != 6) {
    return Status::Corruption("OpenPGP key version " + std::to_string(key.version) + " is not supported");
  }
  key.created = r.Be(4);
  key.algo = r.Byte();
  if (key.version == 6) {
    if (!r.Has(4)) return Status::Corruption("truncated public key packet");
    uint32_t material_len = r.Be(4);
    if (material_len != r.left()) return Status::Corruption("public key material length does not match the packet");
  }
  if (key.algo == kPgpAlgoEd25519) {
    if (r.left() != 32) return Status::Corruption("Ed25519 public key must be 32 octets");
    key.ed25519 = std::string(r.Take(32));
  } else if (key.algo == kPgpAlgoEdDsaLegacy) {
    if (!r.Has(1)) return Status::Corruption("truncated EdDSA key");
    uint8_t oid_len = r.Byte();
    if (oid_len == 0 || oid_len == 0xff || !r.Has(oid_len)) return Status::Corruption("bad EdDSA curve OID");
    std::string_view oid = r.Take(oid_len);
    auto point = ReadMpi(r);
    if (!point.ok()) return point.status();
    if (oid == kEd25519LegacyOid) {
      if (point->size() != 33 || (*point)[0] != 0x40) return Status::Corruption("bad Ed25519 point encoding");
      key.ed25519 = std::string(point->substr(1));
    }
  }
  std::string prefix = PgpKeyHashPrefix(key);
  if (key.version == 4) {
    key.fingerprint = Sha1Digest(prefix);
    key.key_id = key.fingerprint.substr(12);
  } else {
    key.fingerprint.resize(crypto_hash_sha256_BYTES);
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(key.fingerprint.data()),
                       reinterpret_cast<const unsigned char*>(prefix.data()), prefix.size());
    key.key_id = key.fingerprint.substr(0, 8);
  }
  return key;
}

std::string PgpAlgorithmName(uint8_t algo) {
  switch (algo) {
    case 1: case 2: case 3: return "RSA";
    case 16: return "ElGamal";
    case 17: return "DSA";
    case 18: return "ECDH";
    case 19: return "ECDSA";
    case 22: return "EdDSA";
    case 25: return "X25519";
    case 27: return "Ed25519";
    case 28: return "Ed448";
    default: return "algorithm " + std::to_string(algo);
  }
}

std::string PgpHex(std::string_view raw) {
  std::string hex = HexEncode(raw);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

bool PgpIssuerMatches(const PgpSignature& sig, const PgpPublicKey& key) {
  if (!sig.issuer_fingerprint.empty()) return sig.issuer_fingerprint == key.fingerprint;
  return !sig.issuer_key_id.empty() && sig.issuer_key_id == key.key_id;
}

std::string PgpKeyHashPrefix(const PgpPublicKey& key) {
  std::string out;
  if (key.version == 6) {
    out.push_back('\x9B');
    AppendBe32(out, static_cast<uint32_t>(key.body.size()));
  } else {
    out.push_back('\x99');
    out.push_back(static_cast<char>(key.body.size() >> 8));
    out.push_back(static_cast<char>(key.body.size()));
  }
  return out + key.body;
}

std::string PgpUserIdHashPrefix(std::string_view user_id) {
  std::string out(1, '\xB4');
  AppendBe32(out, static_cast<uint32_t>(user_id.size()));
  out.append(user_id);
  return out;
}

std::optional<int64_t> PgpSignatureExpiresAt(const PgpSignature& sig) {
  if (!sig.expiration_seconds || *sig.expiration_seconds == 0) return std::nullopt;
  return sig.creation_time.value_or(0) + *sig.expiration_seconds;
}

Status VerifyPgpSignature(const PgpSignature& sig, const PgpPublicKey& key, std::string_view data) {
  return VerifyPgpSignatureAt(sig, key, data, static_cast<int64_t>(std::time(nullptr)));
}

bool IsExpiredPgp(const Status& status) {
  return status.code() == Status::Code::kCorruption && status.message().compare(0, kExpired.size(), kExpired) == 0;
}

Status VerifyPgpSignatureAt(const PgpSignature& sig, const PgpPublicKey& key, std::string_view data,
                            std::optional<int64_t> now) {
  PG_RETURN_IF_ERROR(EnsureSodium());
  if (auto expires = PgpSignatureExpiresAt(sig); expires && now && *now > *expires) {
    // RFC 9580 §5.2.3.18: past its expiration time the signature is not valid, however good
    // its mathematics.
    return Status::Corruption(std::string(kExpired) + " at " + UtcTime(*expires) + " (made " +
                              UtcTime(sig.creation_time.value_or(0)) + " to be valid for " +
                              std::to_string(*sig.expiration_seconds) + " s)");
  }
  if (sig.pubkey_algo != key.algo) {
    return Status::Corruption("signature algorithm " + PgpAlgorithmName(sig.pubkey_algo) + " does not match key " +
                              PgpAlgorithmName(key.algo));
  }
  if (key.ed25519.empty()) return Status::InvalidArgument(std::string(kUnsupported) + PgpAlgorithmName(sig.pubkey_algo));
  if (sig.version != key.version) {
    // RFC 9580 §5.2.3: a v6 key makes v6 signatures, a v4 key v4 signatures.
    return Status::Corruption("signature version " + std::to_string(sig.version) + " does not match key version " +
                              std::to_string(key.version));
  }
  if (sig.unknown_critical) return Status::Corruption("signature has an unknown critical subpacket");
  if (sig.version == 6) {
    size_t want = sig.hash_algo == 8 ? 16 : sig.hash_algo == 10 ? 32 : 0;
    if (want != 0 && sig.salt.size() != want) return Status::Corruption("v6 signature salt has the wrong size");
  }
  auto digest = SignatureDigest(sig, data);
  if (!digest.ok()) return digest.status();
  if (static_cast<uint8_t>((*digest)[0]) != sig.quick_check[0] ||
      static_cast<uint8_t>((*digest)[1]) != sig.quick_check[1]) {
    return Status::Corruption("OpenPGP signature does not match the signed data (digest prefix differs)");
  }
  unsigned char raw[crypto_sign_BYTES] = {0};
  if (sig.pubkey_algo == kPgpAlgoEd25519) {
    if (sig.material.size() != crypto_sign_BYTES) return Status::Corruption("Ed25519 signature must be 64 octets");
    std::copy(sig.material.begin(), sig.material.end(), raw);
  } else {
    // EdDSALegacy: two MPIs, R and S, each the little-endian native value with leading zero
    // octets stripped; left-pad each back to 32 octets.
    Reader r(sig.material);
    auto r_mpi = ReadMpi(r);
    if (!r_mpi.ok()) return r_mpi.status();
    auto s_mpi = ReadMpi(r);
    if (!s_mpi.ok()) return s_mpi.status();
    if (r_mpi->size() > 32 || s_mpi->size() > 32 || r.left() != 0) return Status::Corruption("bad EdDSA signature MPIs");
    std::copy(r_mpi->begin(), r_mpi->end(), raw + 32 - r_mpi->size());
    std::copy(s_mpi->begin(), s_mpi->end(), raw + 64 - s_mpi->size());
  }
  if (crypto_sign_verify_detached(raw, reinterpret_cast<const unsigned char*>(digest->data()), digest->size(),
                                  reinterpret_cast<const unsigned char*>(key.ed25519.data())) != 0) {
    return Status::Corruption("OpenPGP signature does not verify with key " + PgpHex(key.fingerprint));
  }
  return Status::Ok();
}

bool IsUnsupportedPgp(const Status& status) {
  return status.code() == Status::Code::kInvalidArgument &&
         status.message().compare(0, kUnsupported.size(), kUnsupported) == 0;
}

}  // namespace pushgate::signatures
