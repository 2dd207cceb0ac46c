// OpenPGP parsing and native verification against RFC 9580 Appendix A vectors, plus hostile input.
#include "signatures/openpgp.h"

#include <catch2/catch.hpp>

#include <ctime>

#include "base/files.h"
#include "signatures/base64.h"
#include "signatures/openpgp_keyring.h"
#include "tests/support/git_fixture.h"

namespace pushgate::signatures {
namespace {

// RFC 9580 §A.1: sample v4 Ed25519Legacy key (fingerprint C959BDBA...965A9A).
constexpr const char* kV4LegacyKey =
    "xjMEU/NfCxYJKwYBBAHaRw8BAQdAPwmJlL3ZFu1AUxl5NOSofIBzOhKA1i+AEJkuQ+47JAY=";
// RFC 9580 §A.2: sample v4 Ed25519Legacy signature over the octets "OpenPGP".
constexpr const char* kV4LegacySig =
    "iF4EABYIAAYFAlX5X5UACgkQjP3hIZeWWpr2IgD/VvkMypjiECY3vZg/2xbBMd/S"
    "ftgr9N3lYG4NdWrtM2YBANCcT6EVJ/A44PV/IgHYLy6iyQMyZfps60iehUuuYbQE";
// RFC 9580 §A.3: sample v6 certificate (Ed25519 primary, X25519 subkey).
constexpr const char* kV6Cert =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n"
    "\n"
    "xioGY4d/4xsAAAAg+U2nu0jWCmHlZ3BqZYfQMxmZu52JGggkLq2EVD34laPCsQYf\n"
    "GwoAAABCBYJjh3/jAwsJBwUVCg4IDAIWAAKbAwIeCSIhBssYbE8GCaaX5NUt+mxy\n"
    "KwwfHifBilZwj2Ul7Ce62azJBScJAgcCAAAAAK0oIBA+LX0ifsDm185Ecds2v8lw\n"
    "gyU2kCcUmKfvBXbAf6rhRYWzuQOwEn7E/aLwIwRaLsdry0+VcallHhSu4RN6HWaE\n"
    "QsiPlR4zxP/TP7mhfVEe7XWPxtnMUMtf15OyA51YBM4qBmOHf+MZAAAAIIaTJINn\n"
    "+eUBXbki+PSAld2nhJh/LVmFsS+60WyvXkQ1wpsGGBsKAAAALAWCY4d/4wKbDCIh\n"
    "BssYbE8GCaaX5NUt+mxyKwwfHifBilZwj2Ul7Ce62azJAAAAAAQBIKbpGG2dWTX8\n"
    "j+VjFM21J0hqWlEg+bdiojWnKfA5AQpWUWtnNwDEM0g12vYxoWM8Y81W+bHBw805\n"
    "I8kWVkXU6vFOi+HWvv/ira7ofJu16NnoUkhclkUrk0mXubZvyl4GBg==\n"
    "-----END PGP PUBLIC KEY BLOCK-----\n";

PgpPublicKey V4Key() {
  auto packets = ParsePgpPackets(*Base64Decode(kV4LegacyKey));
  REQUIRE(packets.ok());
  REQUIRE(packets->size() == 1);
  auto key = ParsePgpPublicKeyPacket((*packets)[0].body);
  REQUIRE(key.ok());
  return *key;
}

PgpSignature V4Sig() {
  auto packets = ParsePgpPackets(*Base64Decode(kV4LegacySig));
  REQUIRE(packets.ok());
  auto sig = ParsePgpSignaturePacket((*packets)[0].body);
  REQUIRE(sig.ok());
  return *sig;
}

TEST_CASE("RFC 9580 A.1 v4 Ed25519Legacy key: fingerprint and key material") {
  PgpPublicKey key = V4Key();
  CHECK(key.version == 4);
  CHECK(key.algo == kPgpAlgoEdDsaLegacy);
  CHECK(PgpHex(key.fingerprint) == "C959BDBAFA32A2F89A153B678CFDE12197965A9A");
  CHECK(PgpHex(key.key_id) == "8CFDE12197965A9A");
  CHECK(PgpHex(key.ed25519.substr(0, 2)) == "3F09");
}

TEST_CASE("RFC 9580 A.2 v4 Ed25519Legacy signature over \"OpenPGP\" verifies") {
  PgpPublicKey key = V4Key();
  PgpSignature sig = V4Sig();
  CHECK(sig.version == 4);
  CHECK(sig.sig_type == 0x00);
  CHECK(sig.hash_algo == 8);
  CHECK(sig.creation_time == 0x55f95f95);
  CHECK(PgpIssuerMatches(sig, key));
  CHECK(VerifyPgpSignature(sig, key, "OpenPGP").ok());
  CHECK(VerifyPgpSignature(sig, key, "OpenPGQ").code() == Status::Code::kCorruption);
  PgpSignature flipped = sig;
  flipped.material[flipped.material.size() - 1] ^= 1;
  CHECK(VerifyPgpSignature(flipped, key, "OpenPGP").code() == Status::Code::kCorruption);
}

TEST_CASE("the signature expiration subpacket ends a signature's validity (RFC 9580 5.2.3.18)") {
  PgpPublicKey key = V4Key();
  PgpSignature sig = V4Sig();
  const int64_t made = 0x55f95f95;
  CHECK(!PgpSignatureExpiresAt(sig));
  CHECK(VerifyPgpSignatureAt(sig, key, "OpenPGP", made + 100000000).ok());
  sig.expiration_seconds = 0;  // zero: never expires
  CHECK(VerifyPgpSignatureAt(sig, key, "OpenPGP", made + 100000000).ok());
  sig.expiration_seconds = 60;
  CHECK(PgpSignatureExpiresAt(sig) == made + 60);
  CHECK(VerifyPgpSignatureAt(sig, key, "OpenPGP", made + 60).ok());
  Status late = VerifyPgpSignatureAt(sig, key, "OpenPGP", made + 61);
  CHECK(late.code() == Status::Code::kCorruption);
  CHECK(IsExpiredPgp(late));
  CHECK(late.message().find("2015-09-16") != std::string::npos);
  CHECK(VerifyPgpSignatureAt(sig, key, "OpenPGP", std::nullopt).ok());  // no time: the mathematics only
  CHECK(IsExpiredPgp(VerifyPgpSignature(sig, key, "OpenPGP")));  // now is long past 2015
  sig.expiration_seconds.reset();
  CHECK_FALSE(IsExpiredPgp(VerifyPgpSignature(sig, key, "OpenPGQ")));
}

TEST_CASE("RFC 9580 A.3 v6 certificate: fingerprints and v6 self-signatures verify") {
  auto armor = DearmorPgp(kV6Cert);
  REQUIRE(armor.ok());
  CHECK(armor->type == "PGP PUBLIC KEY BLOCK");
  auto packets = ParsePgpPackets(armor->data);
  REQUIRE(packets.ok());
  REQUIRE(packets->size() == 4);  // primary, direct-key sig, subkey, binding sig
  auto primary = ParsePgpPublicKeyPacket((*packets)[0].body);
  auto subkey = ParsePgpPublicKeyPacket((*packets)[2].body);
  REQUIRE(primary.ok());
  REQUIRE(subkey.ok());
  CHECK(PgpHex(primary->fingerprint) == "CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9");
  CHECK(PgpHex(subkey->fingerprint) == "12C83F1E706F6308FE151A417743A1F033790E93E9978488D1DB378DA9930885");
  CHECK(primary->algo == kPgpAlgoEd25519);

  auto direct = ParsePgpSignaturePacket((*packets)[1].body);
  REQUIRE(direct.ok());
  CHECK(direct->version == 6);
  CHECK(direct->sig_type == 0x1F);
  CHECK(direct->hash_algo == 10);  // SHA2-512, whose v6 salt is 32 octets
  CHECK(direct->salt.size() == 32);
  std::string key_prefix = PgpKeyHashPrefix(*primary);
  CHECK(VerifyPgpSignature(*direct, *primary, key_prefix).ok());

  auto binding = ParsePgpSignaturePacket((*packets)[3].body);
  REQUIRE(binding.ok());
  CHECK(binding->sig_type == 0x18);
  CHECK(VerifyPgpSignature(*binding, *primary, key_prefix + PgpKeyHashPrefix(*subkey)).ok());
  CHECK(!VerifyPgpSignature(*binding, *primary, key_prefix + key_prefix).ok());

  auto ring = PgpKeyring::Parse(kV6Cert, "rfc9580-a3");
  REQUIRE(ring.ok());
  REQUIRE(ring->certificates().size() == 1);
  const auto& cert = ring->certificates()[0];
  CHECK(cert.self_signatures_checked);
  REQUIRE(cert.subkeys.size() == 1);
  CHECK(cert.subkeys[0].bound);
  CHECK(cert.user_ids.empty());
}

TEST_CASE("armor checksum is computed and reported, never required") {
  std::string with_crc = std::string("-----BEGIN PGP SIGNATURE-----\nVersion: test\n\n") +
                         std::string(kV4LegacySig).substr(0, 64) + "\n" + std::string(kV4LegacySig).substr(64) +
                         "\n=AAAA\n-----END PGP SIGNATURE-----\n";
  auto armor = DearmorPgp(with_crc);
  REQUIRE(armor.ok());
  CHECK(armor->has_crc);
  CHECK(!armor->crc_matches);
  CHECK(ParseArmoredPgpSignature(with_crc).ok());
  // The RFC 9580 §6.1 CRC-24 of "123456789" is 0x21CF02.
  CHECK(PgpCrc24("123456789") == 0x21CF02);
}

TEST_CASE("unsupported algorithms are named") {
  PgpPublicKey key = V4Key();
  PgpSignature sig = V4Sig();
  key.algo = sig.pubkey_algo = 1;
  key.ed25519.clear();
  Status s = VerifyPgpSignature(sig, key, "OpenPGP");
  CHECK(IsUnsupportedPgp(s));
  CHECK(s.message().find("RSA") != std::string::npos);
  CHECK(PgpAlgorithmName(19) == "ECDSA");
}

TEST_CASE("hostile OpenPGP input gives clean errors") {
  std::string packet = *Base64Decode(kV4LegacySig);
  SECTION("every truncation of the packet stream") {
    for (size_t n = 1; n < packet.size(); ++n) CHECK(!ParsePgpPackets(packet.substr(0, n)).ok());
  }
  SECTION("every truncation of the signature body") {
    auto packets = ParsePgpPackets(packet);
    REQUIRE(packets.ok());
    const std::string& body = (*packets)[0].body;
    for (size_t n = 0; n + 1 < body.size(); ++n) {
      auto sig = ParsePgpSignaturePacket(body.substr(0, n));
      if (sig.ok()) CHECK(!VerifyPgpSignature(*sig, V4Key(), "OpenPGP").ok());
    }
  }
  SECTION("lengths past the end") {
    std::string bad = packet;
    bad[1] = '\x7f';  // legacy one-octet length
    CHECK(ParsePgpPackets(bad).status().message().find("past the end") != std::string::npos);
  }
  SECTION("signature version 3 and 5") {
    auto packets = ParsePgpPackets(packet);
    std::string body = (*packets)[0].body;
    body[0] = 3;
    CHECK(!ParsePgpSignaturePacket(body).ok());
    body[0] = 5;
    CHECK(ParsePgpSignaturePacket(body).status().message().find("version 5") != std::string::npos);
  }
  SECTION("10 MB armor") {
    std::string huge = "-----BEGIN PGP SIGNATURE-----\n\n" + std::string(10 << 20, 'A') + "\n-----END PGP SIGNATURE-----\n";
    CHECK(ParseArmoredPgpSignature(huge).status().message().find("too large") != std::string::npos);
  }
  SECTION("bad armor") {
    CHECK(!ParseArmoredPgpSignature("").ok());
    CHECK(!ParseArmoredPgpSignature("-----BEGIN PGP SIGNATURE-----\n\niF4E\n").ok());
    CHECK(!ParseArmoredPgpSignature("-----BEGIN PGP SIGNATURE-----\n\n!!!!\n-----END PGP SIGNATURE-----\n").ok());
    CHECK(!ParseArmoredPgpSignature(kV6Cert).ok());  // a key block is not a signature
  }
  SECTION("garbage keyring") {
    CHECK(!PgpKeyring::Parse(std::string("\x99\x00\x05hello", 8), "junk").ok());
    CHECK(!PgpKeyring::Parse("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxioG\n-----END PGP PRIVATE KEY BLOCK-----\n", "x").ok());
  }
}

// End to end: gpg makes an Ed25519 key ten days in the past (--faked-system-time) and signs commits
// with it through `git commit -S`; the gate, trusting the exported key for the committer, must
// refuse a signature whose expiration subpacket has passed, and a key whose expiration has passed,
// and accept the same key's unexpired signature.
struct PgpRepo : pushgate::testing::GitFixture {
  int64_t now = static_cast<int64_t>(std::time(nullptr));

  // `key_expire`: gpg's quick-gen-key expiry ("never", "1d").
  explicit PgpRepo(const std::string& key_expire = "never") {
    std::string made = std::to_string(now - 10 * 86400) + "!";
    auto r = Run("mkdir -m 700 -p \"$GNUPGHOME\" && gpg -q --batch --passphrase '' --faked-system-time " + made +
                 " --quick-gen-key 'Alice <alice@example.com>' ed25519 sign " + key_expire + " 2>&1 && gpg --batch --armor --export > " +
                 root() + "/keys.asc");
    INFO(r.all());
    REQUIRE(r.code == 0);
    Commit("live/prod/app.yaml", "replicas: 1\n", "first");
    REQUIRE(Push("origin main").code == 0);
    InstallGate("version: 1\nsigners: { openpgp_keys: " + root() + "/keys.asc }\n"
                "environments:\n  - name: production\n    refs: [refs/heads/main]\n    paths: [\"live/prod/**\"]\n"
                "    require_signed: true\n");
  }

  // Commits a live change signed at `sign_time` with gpg's extra `options`.
  void SignedChange(const std::string& content, int64_t sign_time, const std::string& options) {
    REQUIRE(pushgate::WriteFileAtomic(root() + "/gpg-at", "#!/bin/sh\nexec gpg --faked-system-time " +
                                                              std::to_string(sign_time) + "! " + options + " \"$@\"\n",
                                      0755)
                .ok());
    auto r = Run("echo '" + content + "' > live/prod/app.yaml && git add -A && git -c gpg.format=openpgp -c gpg.program=" +
                 root() + "/gpg-at -c user.signingkey=alice@example.com -c commit.gpgsign=true commit -q -m change");
    INFO(r.all());
    REQUIRE(r.code == 0);
  }
};

TEST_CASE("gate: an OpenPGP signature past its expiration is refused; the unexpired twin lands") {
  SECTION("expiry still ahead") {
    PgpRepo g;
    g.SignedChange("replicas: 2", g.now - 3600, "--default-sig-expire 1d");
    auto p = g.Push("origin main");
    INFO(p.all());
    CHECK(p.code == 0);
  }
  SECTION("expired a day ago") {
    PgpRepo g;
    g.SignedChange("replicas: 3", g.now - 2 * 86400, "--default-sig-expire 1d");
    std::string before = g.ServerRev("main");
    auto p = g.Push("origin main");
    INFO(p.all());
    CHECK(p.code != 0);
    CHECK(p.err.find("signed-commit") != std::string::npos);
    CHECK(p.err.find("OpenPGP signature expired") != std::string::npos);
    CHECK(g.ServerRev("main") == before);
  }
}

TEST_CASE("gate: a signature by an OpenPGP key past its key expiration is expired-key; before it, it lands") {
  SECTION("key valid") {
    PgpRepo g("3w");
    g.SignedChange("replicas: 4", g.now - 3600, "");
    auto p = g.Push("origin main");
    INFO(p.all());
    CHECK(p.code == 0);
  }
  SECTION("key expired") {
    PgpRepo g("1d");  // made ten days ago, valid for one
    g.SignedChange("replicas: 5", g.now - 10 * 86400 + 3600, "");
    auto p = g.Push("origin main");
    INFO(p.all());
    CHECK(p.code != 0);
    CHECK(p.err.find("expired-key") != std::string::npos);
  }
}

}  // namespace
}  // namespace pushgate::signatures
