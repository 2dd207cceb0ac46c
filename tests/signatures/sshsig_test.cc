// SSHSIG parsing and native verification against signatures made by the real ssh-keygen.
#include "signatures/sshsig.h"

#include <sodium.h>

#include <catch2/catch.hpp>

#include "base/files.h"
#include "signatures/base64.h"
#include "signatures/ssh_wire.h"
#include "tests/support/git_fixture.h"

namespace pushgate::signatures {
namespace {

using pushgate::testing::Sh;

// A directory with an ssh-keygen key of the given type and a signature over `message`.
struct SignedFile {
  TempDir dir{"pushgate-sshsig"};
  std::string message;
  std::string armored;
  std::string public_line;

  SignedFile(const std::string& key_type, const std::string& ns, const std::string& msg,
             const std::string& extra_sign_args = "")
      : message(msg) {
    REQUIRE(WriteFileAtomic(dir.path() + "/msg", message).ok());
    auto r = Sh("ssh-keygen -q -t " + key_type + " -N '' -C test -f key && ssh-keygen -q -Y sign -f key -n " + ns +
                    " " + extra_sign_args + " msg",
                dir.path());
    INFO(r.all());
    REQUIRE(r.code == 0);
    armored = *ReadFile(dir.path() + "/msg.sig");
    public_line = *ReadFile(dir.path() + "/key.pub");
  }
};

TEST_CASE("ssh-keygen Ed25519 signature parses and verifies natively") {
  SignedFile f("ed25519", "git", "tree 123\n\nhello\n");
  auto sig = ParseArmoredSshsig(f.armored);
  REQUIRE(sig.ok());
  CHECK(sig->ns == "git");
  CHECK(sig->hash_alg == "sha512");
  CHECK(sig->key.type == "ssh-ed25519");
  CHECK(sig->sig_type == "ssh-ed25519");
  CHECK(sig->sig_blob.size() == 64);
  CHECK(f.public_line.rfind(sig->key.AuthorizedKeyLine(), 0) == 0);
  auto fp = Sh("ssh-keygen -l -f key.pub", f.dir.path());
  CHECK(fp.out.find(sig->key.Fingerprint() + " ") != std::string::npos);
  CHECK(VerifySshsig(*sig, f.message, "git").ok());
}

TEST_CASE("sha256 SSHSIG from ssh-keygen verifies") {
  SignedFile f("ed25519", "git", "payload", "-O hashalg=sha256");
  auto sig = ParseArmoredSshsig(f.armored);
  REQUIRE(sig.ok());
  CHECK(sig->hash_alg == "sha256");
  CHECK(VerifySshsig(*sig, f.message, "git").ok());
}

TEST_CASE("a changed message does not verify") {
  SignedFile f("ed25519", "git", "original");
  auto sig = ParseArmoredSshsig(f.armored);
  REQUIRE(sig.ok());
  Status s = VerifySshsig(*sig, "originaL", "git");
  CHECK(s.code() == Status::Code::kCorruption);
}

TEST_CASE("a namespace other than the expected one is refused") {
  SignedFile f("ed25519", "file", "data");
  auto sig = ParseArmoredSshsig(f.armored);
  REQUIRE(sig.ok());
  Status s = VerifySshsig(*sig, "data", "git");
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().find("namespace") != std::string::npos);
  CHECK(VerifySshsig(*sig, "data", "file").ok());
}

TEST_CASE("RSA SSHSIG is reported as needing the fallback") {
  SignedFile f("rsa -b 2048", "git", "data");
  auto sig = ParseArmoredSshsig(f.armored);
  REQUIRE(sig.ok());
  CHECK(sig->key.type == "ssh-rsa");
  CHECK(sig->sig_type == "rsa-sha2-512");
  Status s = VerifySshsig(*sig, "data", "git");
  CHECK(IsUnsupportedKeyType(s));
  CHECK(s.message() == "unsupported key type ssh-rsa");
}

TEST_CASE("serialize and armor reproduce ssh-keygen output exactly") {
  SignedFile f("ed25519", "git", "x");
  auto sig = ParseArmoredSshsig(f.armored);
  REQUIRE(sig.ok());
  CHECK(ArmorSshsig(SerializeSshsig(*sig)) == f.armored);
}

TEST_CASE("a natively made signature verifies with ssh-keygen -Y verify") {
  SignedFile f("ed25519", "git", "unused");
  auto reference = ParseArmoredSshsig(f.armored);
  REQUIRE(reference.ok());
  // Sign with a libsodium key, wrap the result and let OpenSSH judge it.
  unsigned char pk[32], sk[64], raw[64];
  crypto_sign_keypair(pk, sk);
  std::string key_blob;
  AppendSshString(key_blob, "ssh-ed25519");
  AppendSshString(key_blob, std::string_view(reinterpret_cast<char*>(pk), 32));
  SshSignature sig;
  sig.key = *SshPublicKeyFromBlob(key_blob);
  sig.ns = "git";
  sig.hash_alg = "sha512";
  sig.sig_type = "ssh-ed25519";
  std::string message = "native message\n";
  std::string to_sign = SshsigSignedData("git", "sha512", message);
  crypto_sign_detached(raw, nullptr, reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), sk);
  sig.sig_blob.assign(reinterpret_cast<char*>(raw), 64);
  CHECK(VerifySshsig(sig, message, "git").ok());
  REQUIRE(WriteFileAtomic(f.dir.path() + "/native.sig", ArmorSshsig(SerializeSshsig(sig))).ok());
  REQUIRE(WriteFileAtomic(f.dir.path() + "/signers", "me@example.com " + sig.key.AuthorizedKeyLine() + "\n").ok());
  REQUIRE(WriteFileAtomic(f.dir.path() + "/native.msg", message).ok());
  auto r = Sh("ssh-keygen -Y verify -f signers -I me@example.com -n git -s native.sig < native.msg", f.dir.path());
  INFO(r.all());
  CHECK(r.code == 0);
}

TEST_CASE("sk-ssh-ed25519 signature verifies over the FIDO-wrapped data") {
  // No authenticator is available in tests: build the FIDO signature as an authenticator would
  // (sha256(application) || flags || counter || sha256(signed data)).
  unsigned char pk[32], sk[64], raw[64];
  crypto_sign_keypair(pk, sk);
  std::string key_blob;
  AppendSshString(key_blob, "sk-ssh-ed25519@openssh.com");
  AppendSshString(key_blob, std::string_view(reinterpret_cast<char*>(pk), 32));
  AppendSshString(key_blob, "ssh:");
  SshSignature sig;
  auto key = SshPublicKeyFromBlob(key_blob);
  REQUIRE(key.ok());
  sig.key = *key;
  sig.ns = "git";
  sig.hash_alg = "sha512";
  sig.sig_type = "sk-ssh-ed25519@openssh.com";
  sig.sk_flags = 0x01;
  sig.sk_counter = 42;
  std::string message = "commit payload";
  std::string inner = SshsigSignedData("git", "sha512", message);
  unsigned char app_hash[32], data_hash[32];
  crypto_hash_sha256(app_hash, reinterpret_cast<const unsigned char*>("ssh:"), 4);
  crypto_hash_sha256(data_hash, reinterpret_cast<const unsigned char*>(inner.data()), inner.size());
  std::string outer(reinterpret_cast<char*>(app_hash), 32);
  outer.push_back('\x01');
  AppendU32(outer, 42);
  outer.append(reinterpret_cast<char*>(data_hash), 32);
  crypto_sign_detached(raw, nullptr, reinterpret_cast<const unsigned char*>(outer.data()), outer.size(), sk);
  sig.sig_blob.assign(reinterpret_cast<char*>(raw), 64);

  auto reparsed = ParseSshsigBlob(SerializeSshsig(sig));
  REQUIRE(reparsed.ok());
  CHECK(reparsed->sk_flags == 1);
  CHECK(reparsed->sk_counter == 42);
  CHECK(VerifySshsig(*reparsed, message, "git").ok());
  reparsed->sk_counter = 43;  // the counter is signed
  CHECK(VerifySshsig(*reparsed, message, "git").code() == Status::Code::kCorruption);
}

TEST_CASE("hostile SSHSIG blobs give clean errors") {
  SignedFile f("ed25519", "git", "x");
  auto armored = f.armored;
  auto sig = ParseArmoredSshsig(armored);
  REQUIRE(sig.ok());
  std::string blob = SerializeSshsig(*sig);

  SECTION("every truncation") {
    for (size_t n = 0; n < blob.size(); ++n) {
      auto r = ParseSshsigBlob(blob.substr(0, n));
      CHECK(!r.ok());
      CHECK(r.status().code() == Status::Code::kCorruption);
    }
  }
  SECTION("wrong magic") {
    std::string bad = blob;
    bad[0] = 'X';
    CHECK(ParseSshsigBlob(bad).status().message().find("magic") != std::string::npos);
  }
  SECTION("version 2") {
    std::string bad = blob;
    bad[9] = 2;
    auto r = ParseSshsigBlob(bad);
    CHECK(r.status().message().find("version 2") != std::string::npos);
  }
  SECTION("length past the end") {
    std::string bad = blob;
    bad[10] = '\x7f';  // public key length high byte
    auto r = ParseSshsigBlob(bad);
    CHECK(r.status().code() == Status::Code::kCorruption);
    CHECK(r.status().message().find("past the end") != std::string::npos);
  }
  SECTION("trailing bytes") { CHECK(!ParseSshsigBlob(blob + "x").ok()); }
  SECTION("10 MB armor") {
    std::string huge = "-----BEGIN SSH SIGNATURE-----\n" + std::string(10 << 20, 'A') + "\n-----END SSH SIGNATURE-----\n";
    auto r = ParseArmoredSshsig(huge);
    CHECK(r.status().message().find("too large") != std::string::npos);
  }
  SECTION("bad armor") {
    CHECK(!ParseArmoredSshsig("").ok());
    CHECK(!ParseArmoredSshsig("-----BEGIN SSH SIGNATURE-----\nAAAA\n").ok());
    CHECK(!ParseArmoredSshsig("-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n").ok());
    CHECK(!ParseArmoredSshsig(armored + "junk").ok());
  }
  SECTION("wrong signature length") {
    SshSignature s = *sig;
    s.sig_blob.pop_back();
    CHECK(VerifySshsig(s, "x", "git").code() == Status::Code::kCorruption);
  }
}

}  // namespace
}  // namespace pushgate::signatures
