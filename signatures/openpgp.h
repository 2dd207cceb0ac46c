// OpenPGP (RFC 9580) reading and native verification, limited to what commit signatures need:
// ASCII armor (with the optional CRC24), packet framing (OpenPGP and legacy headers), v4/v6
// signature packets with their subpackets, v4/v6 public-key packets with fingerprints and key ids,
// and Ed25519 verification (EdDSALegacy algorithm 22 as GnuPG emits it, and Ed25519 algorithm 27)
// over SHA-256/SHA-512 digests with libsodium. Other algorithms (RSA, ECDSA, DSA, Ed448) are
// recognised and named so that a caller can fall back to `gpg --verify`.
//
// Thread-safety: all functions are pure and may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace pushgate::signatures {

// Public-key algorithm ids (RFC 9580 §9.1) this module names or verifies.
inline constexpr uint8_t kPgpAlgoEdDsaLegacy = 22;
inline constexpr uint8_t kPgpAlgoEd25519 = 27;

struct PgpArmor {
  std::string type;        // "PGP SIGNATURE", "PGP PUBLIC KEY BLOCK", ...
  std::string data;        // the decoded bytes
  bool has_crc = false;    // a "=XXXX" checksum line was present
  bool crc_matches = true; // the checksum (when present) matched; RFC 9580 says not to reject on it
};

// Decodes one armored block. Corruption on missing BEGIN/END lines, bad base64, or input over
// max_bytes.
Result<PgpArmor> DearmorPgp(std::string_view text, size_t max_bytes = 16u << 20);

// CRC-24 as used by the armor checksum (RFC 9580 §6.1).
uint32_t PgpCrc24(std::string_view data);

struct PgpPacket {
  int tag = 0;
  std::string body;
};

// Splits binary data into packets. Partial body lengths (only used by data packets) are refused.
Result<std::vector<PgpPacket>> ParsePgpPackets(std::string_view binary);

struct PgpSignature {
  int version = 0;           // 4 or 6
  uint8_t sig_type = 0;      // 0x00 binary document, 0x10-0x13 certification, 0x18 subkey binding, ...
  uint8_t pubkey_algo = 0;
  uint8_t hash_algo = 0;     // 8 SHA2-256, 10 SHA2-512, ...
  std::string hashed_fields; // version through the hashed subpackets: hashed with the data
  uint8_t quick_check[2] = {0, 0};
  std::string salt;          // v6 only
  std::string material;      // algorithm-specific signature fields
  std::optional<int64_t> creation_time;
  std::optional<int64_t> expiration_seconds;      // signature expiration (3), relative to creation
  std::optional<int64_t> key_expiration_seconds;  // key expiration (9), relative to key creation
  std::optional<uint8_t> key_flags;               // first octet of key flags (27)
  std::string issuer_fingerprint;  // from subpacket 33 (hashed or not): 20 or 32 bytes, raw
  std::string issuer_key_id;       // from subpacket 16: 8 bytes, raw
  bool unknown_critical = false;   // a critical hashed subpacket this reader does not know
};

// Parses a signature packet body.
Result<PgpSignature> ParsePgpSignaturePacket(std::string_view body);

// Parses an armored detached signature holding exactly one signature packet.
Result<PgpSignature> ParseArmoredPgpSignature(std::string_view armored);

struct PgpPublicKey {
  int version = 0;           // 4 or 6
  int64_t created = 0;
  uint8_t algo = 0;
  std::string body;          // the packet body, as hashed into fingerprints and key signatures
  std::string fingerprint;   // raw: 20 bytes (v4, SHA-1) or 32 bytes (v6, SHA-256)
  std::string key_id;        // raw 8 bytes
  std::string ed25519;       // the 32-byte key when the algorithm is Ed25519 (22 or 27)
};

// Parses a public-key or public-subkey packet body.
Result<PgpPublicKey> ParsePgpPublicKeyPacket(std::string_view body);

// "RSA", "DSA", "ECDSA", "EdDSA", "Ed25519", "Ed448", or "algorithm <n>".
std::string PgpAlgorithmName(uint8_t algo);

// Upper-case hex of a fingerprint or key id.
std::string PgpHex(std::string_view raw);

// True when the signature names `key` as its issuer (by fingerprint, else by key id).
bool PgpIssuerMatches(const PgpSignature& sig, const PgpPublicKey& key);

// The bytes that stand for a key when it is hashed into a key signature (0x99/0x9B prefix).
std::string PgpKeyHashPrefix(const PgpPublicKey& key);

// The bytes that stand for a user id in a certification signature (0xB4 prefix).
std::string PgpUserIdHashPrefix(std::string_view user_id);

// When the signature stops being valid: its creation time plus the signature expiration subpacket
// (type 3, RFC 9580 §5.2.3.18), in unix seconds; none when it never expires (no subpacket, or 0).
// A signature with an expiration but no creation time counts as created at 0.
std::optional<int64_t> PgpSignatureExpiresAt(const PgpSignature& sig);

// Verifies `sig` made by `key` over `data` (the document, or the key/user-id material of a key
// signature) and, when `now` is given, that the signature has not expired by then. OK when valid;
// Corruption when malformed, not valid, or expired (the message then starts "OpenPGP signature
// expired"); InvalidArgument starting "unsupported OpenPGP" when the algorithm or hash needs
// another implementation.
Status VerifyPgpSignatureAt(const PgpSignature& sig, const PgpPublicKey& key, std::string_view data,
                            std::optional<int64_t> now);

// VerifyPgpSignatureAt at the current wall-clock time: an expired signature is never valid.
Status VerifyPgpSignature(const PgpSignature& sig, const PgpPublicKey& key, std::string_view data);

// True when a VerifyPgpSignature status means the signature itself had expired.
bool IsExpiredPgp(const Status& status);

// True when a VerifyPgpSignature status means "needs another implementation".
bool IsUnsupportedPgp(const Status& status);

}  // namespace pushgate::signatures
