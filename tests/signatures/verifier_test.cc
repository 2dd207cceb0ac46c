// End-to-end commit signature verification: real keys (ssh-keygen, gpg), real signed commits
// (git commit -S), the raw object from `git cat-file commit` fed to CommitVerifier.
#include "signatures/verifier.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>

#include "base/files.h"
#include "tests/support/git_fixture.h"

namespace pushgate::signatures {
namespace {

using pushgate::testing::GitFixture;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// A fixture repository whose commits are signed with an SSH key made by ssh-keygen.
struct SshRepo {
  GitFixture git;
  std::string key_line;  // "ssh-ed25519 AAAA..." without comment

  explicit SshRepo(const std::string& key_type = "ed25519") {
    auto r = git.Run("ssh-keygen -q -t " + key_type + " -N '' -C alice -f " + git.home() +
                     "/id && git config gpg.format ssh && git config user.signingkey " + git.home() + "/id.pub");
    INFO(r.all());
    REQUIRE(r.code == 0);
    std::string pub = *ReadFile(git.home() + "/id.pub");
    key_line = pub.substr(0, pub.find(' ', pub.find(' ') + 1));
  }
  std::string SignedCommit(const std::string& content = "v1\n") {
    REQUIRE(WriteFileAtomic(git.work() + "/live.txt", content).ok());
    auto r = git.Run("git add live.txt && git commit -q -S -m 'signed change' && git cat-file commit HEAD");
    INFO(r.all());
    REQUIRE(r.code == 0);
    return r.out;
  }
  std::string WriteSigners(const std::string& text) {
    std::string path = git.root() + "/allowed_signers";
    REQUIRE(WriteFileAtomic(path, text).ok());
    return path;
  }
};

SignatureVerdict VerifyWith(const TrustSettings& settings, const std::string& raw, int64_t now = Now()) {
  auto v = CommitVerifier::Create(settings);
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  return (*v)->Verify(raw, now);
}

TEST_CASE("SSH Ed25519 signed commit by the committer is good") {
  SshRepo repo;
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.allowed_signers_path = repo.WriteSigners("alice@example.com " + repo.key_line + "\n");
  auto v = VerifyWith(t, raw);
  INFO(v.detail);
  CHECK(v.status == SignatureStatus::kGood);
  CHECK(v.signer == "alice@example.com");
  CHECK(v.key_fingerprint.rfind("SHA256:", 0) == 0);
  // git itself agrees on the same file.
  auto g = repo.git.Run("git -c gpg.ssh.allowedSignersFile=" + t.allowed_signers_path + " verify-commit HEAD");
  CHECK(g.code == 0);
}

TEST_CASE("SSH signed commit with a tampered payload is bad") {
  SshRepo repo;
  std::string raw = repo.SignedCommit();
  size_t msg = raw.find("signed change");
  REQUIRE(msg != std::string::npos);
  raw[msg] = 'S';
  TrustSettings t;
  t.allowed_signers_path = repo.WriteSigners("alice@example.com " + repo.key_line + "\n");
  auto v = VerifyWith(t, raw);
  CHECK(v.status == SignatureStatus::kBad);
  CHECK(v.detail.find("does not verify") != std::string::npos);
}

TEST_CASE("SSH key missing from allowed_signers is unknown") {
  SshRepo repo;
  std::string raw = repo.SignedCommit();
  SshRepo other;
  TrustSettings t;
  t.allowed_signers_path = repo.WriteSigners("alice@example.com " + other.key_line + "\n");
  auto v = VerifyWith(t, raw);
  CHECK(v.status == SignatureStatus::kUnknownKey);
  CHECK(v.detail.find("not in allowed_signers") != std::string::npos);
}

TEST_CASE("SSH key listed for another principal is a principal mismatch") {
  SshRepo repo;
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.allowed_signers_path = repo.WriteSigners("bob@example.com,*@other.org " + repo.key_line + "\n");
  auto v = VerifyWith(t, raw);
  CHECK(v.status == SignatureStatus::kPrincipalMismatch);
  CHECK(v.detail.find("bob@example.com") != std::string::npos);
  // A wildcard pattern covering the committer is accepted; a negation excludes it again.
  t.allowed_signers_path = repo.WriteSigners("*@example.com " + repo.key_line + "\n");
  CHECK(VerifyWith(t, raw).status == SignatureStatus::kGood);
  t.allowed_signers_path = repo.WriteSigners("*@example.com,!alice@example.com " + repo.key_line + "\n");
  CHECK(VerifyWith(t, raw).status == SignatureStatus::kPrincipalMismatch);
}

TEST_CASE("SSH key past valid-before is expired, judged at push time") {
  SshRepo repo;
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.allowed_signers_path = repo.WriteSigners("alice@example.com valid-before=\"20200101Z\" " + repo.key_line + "\n");
  auto v = VerifyWith(t, raw);
  CHECK(v.status == SignatureStatus::kExpiredKey);
  // The same file is fine at a push time inside the window.
  CHECK(VerifyWith(t, raw, 1500000000).status == SignatureStatus::kGood);
  t.allowed_signers_path = repo.WriteSigners("alice@example.com valid-after=\"29990101\" " + repo.key_line + "\n");
  CHECK(VerifyWith(t, raw).status == SignatureStatus::kExpiredKey);
}

TEST_CASE("SSH key restricted to another namespace is refused") {
  SshRepo repo;
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.allowed_signers_path = repo.WriteSigners("alice@example.com namespaces=\"file\" " + repo.key_line + "\n");
  auto v = VerifyWith(t, raw);
  CHECK(v.status == SignatureStatus::kUnknownKey);
  CHECK(v.detail.find("namespace") != std::string::npos);
}

TEST_CASE("signature made with namespace file instead of git is refused") {
  SshRepo repo;
  std::string raw = repo.SignedCommit();
  // Re-sign the same payload with namespace "file" and splice it in as the commit signature.
  auto r = repo.git.Run("git cat-file commit HEAD | sed '/^gpgsig /,/^ -----END/d' > payload && "
                        "ssh-keygen -q -Y sign -f " + repo.git.home() + "/id -n file payload && "
                        "{ sed -n '1,/^committer /p' payload; printf 'gpgsig '; sed '1!s/^/ /' payload.sig; "
                        "sed '1,/^committer /d' payload; }");
  REQUIRE(r.code == 0);
  TrustSettings t;
  t.allowed_signers_path = repo.WriteSigners("alice@example.com " + repo.key_line + "\n");
  auto v = VerifyWith(t, r.out);
  CHECK(v.status == SignatureStatus::kBad);
  CHECK(v.detail.find("namespace is \"file\"") != std::string::npos);
}

TEST_CASE("signature block moved into the message body is unsigned") {
  SshRepo repo;
  std::string raw = repo.SignedCommit();
  size_t start = raw.find("gpgsig ");
  size_t end = raw.find("-----END SSH SIGNATURE-----\n", start) + 28;
  std::string block = raw.substr(start, end - start);
  std::string moved = raw.substr(0, start) + raw.substr(end) + "\n" + block;
  TrustSettings t;
  t.allowed_signers_path = repo.WriteSigners("alice@example.com " + repo.key_line + "\n");
  auto v = VerifyWith(t, moved);
  CHECK(v.status == SignatureStatus::kUnsigned);
  // And the result is a real git object git also calls unsigned.
  REQUIRE(WriteFileAtomic(repo.git.root() + "/moved", moved).ok());
  auto g = repo.git.Run("oid=$(git hash-object -t commit -w " + repo.git.root() +
                        "/moved) && git log -1 --format=%G? $oid");
  CHECK(g.out == "N\n");
}

TEST_CASE("SSH RSA signed commit: good through ssh-keygen, unsupported without fallback") {
  SshRepo repo("rsa -b 2048");
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.allowed_signers_path = repo.WriteSigners("alice@example.com " + repo.key_line + "\n");
  t.ssh_fallback = true;
  auto v = VerifyWith(t, raw);
  INFO(v.detail);
  CHECK(v.status == SignatureStatus::kGood);
  CHECK(v.detail.find("ssh-keygen") != std::string::npos);
  std::string tampered = raw;
  tampered[tampered.find("signed change")] = 'X';
  CHECK(VerifyWith(t, tampered).status == SignatureStatus::kBad);
  t.ssh_fallback = false;
  v = VerifyWith(t, raw);
  CHECK(v.status == SignatureStatus::kUnsupported);
  CHECK(v.detail.find("ssh-rsa") != std::string::npos);
}

TEST_CASE("unsigned commit and X.509 signature") {
  GitFixture git;
  git.Commit("a.txt", "x\n");
  auto raw = git.Run("git cat-file commit HEAD").out;
  TrustSettings t;
  CHECK(VerifyWith(t, raw).status == SignatureStatus::kUnsigned);
  std::string x509 = raw.substr(0, raw.find("\n\n") + 1) +
                     "gpgsig -----BEGIN SIGNED MESSAGE-----\n MIIB\n -----END SIGNED MESSAGE-----\n" +
                     raw.substr(raw.find("\n\n") + 1);
  auto v = VerifyWith(t, x509);
  CHECK(v.status == SignatureStatus::kUnsupported);
  CHECK(v.detail.find("X.509") != std::string::npos);
}

// A GnuPG home with one key; `algo` is gpg's quick-gen-key algorithm ("ed25519", "rsa3072").
struct GpgRepo {
  GitFixture git;
  std::string fingerprint;

  GpgRepo(const std::string& algo, const std::string& uid = "Alice <alice@example.com>", const std::string& expire = "never") {
    auto r = git.Run("mkdir -m 700 -p \"$GNUPGHOME\" && gpg --batch --passphrase '' --quick-gen-key '" + uid + "' " +
                     algo + " sign " + expire + " 2>&1 && gpg --batch --with-colons --list-keys | awk -F: '/^fpr/{print $10; exit}'");
    INFO(r.all());
    REQUIRE(r.code == 0);
    fingerprint = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
    fingerprint.pop_back();
    r = git.Run("git config gpg.format openpgp && git config user.signingkey " + fingerprint);
    REQUIRE(r.code == 0);
  }
  std::string SignedCommit() {
    REQUIRE(WriteFileAtomic(git.work() + "/live.txt", "v1\n").ok());
    auto r = git.Run("git add live.txt && git commit -q -S -m 'signed change' && git cat-file commit HEAD");
    INFO(r.all());
    REQUIRE(r.code == 0);
    return r.out;
  }
  std::string Export(const std::string& name, bool armor) {
    std::string path = git.root() + "/" + name;
    auto r = git.Run(std::string("gpg --batch ") + (armor ? "--armor " : "") + "--export > " + path);
    REQUIRE(r.code == 0);
    return path;
  }
};

TEST_CASE("GnuPG Ed25519 signed commit verifies natively") {
  GpgRepo repo("ed25519");
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.openpgp_keys_path = repo.Export("keys.asc", true);
  auto v = VerifyWith(t, raw);
  INFO(v.detail);
  CHECK(v.status == SignatureStatus::kGood);
  CHECK(v.signer == "alice@example.com");
  CHECK(v.key_fingerprint == repo.fingerprint);

  std::string tampered = raw;
  tampered[tampered.find("signed change")] = 'X';
  CHECK(VerifyWith(t, tampered).status == SignatureStatus::kBad);
}

TEST_CASE("GnuPG Ed25519 key with another user id is a principal mismatch") {
  GpgRepo repo("ed25519", "Mallory <mallory@example.com>");
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.openpgp_keys_path = repo.Export("keys.asc", true);
  auto v = VerifyWith(t, raw);
  CHECK(v.status == SignatureStatus::kPrincipalMismatch);
  CHECK(v.detail.find("mallory@example.com") != std::string::npos);
}

TEST_CASE("GnuPG key missing from trusted keys is unknown") {
  GpgRepo repo("ed25519");
  std::string raw = repo.SignedCommit();
  GpgRepo other("ed25519");
  TrustSettings t;
  t.openpgp_keys_path = other.Export("keys.gpg", false);  // binary export works too
  CHECK(VerifyWith(t, raw).status == SignatureStatus::kUnknownKey);
}

TEST_CASE("GnuPG signing subkey bound to the primary verifies") {
  GpgRepo repo("ed25519");
  auto r = repo.git.Run("gpg --batch --passphrase '' --quick-add-key " + repo.fingerprint +
                        " ed25519 sign never && gpg --batch --with-colons --list-keys | awk -F: '/^fpr/{f=$10} END{print f}'");
  REQUIRE(r.code == 0);
  std::string sub = r.out.substr(0, r.out.size() - 1);
  REQUIRE(sub != repo.fingerprint);
  REQUIRE(repo.git.Run("git config user.signingkey " + sub + "!").code == 0);
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.openpgp_keys_path = repo.Export("keys.asc", true);
  auto v = VerifyWith(t, raw);
  INFO(v.detail);
  CHECK(v.status == SignatureStatus::kGood);
  CHECK(v.key_fingerprint == sub);
}

TEST_CASE("GnuPG key with an expiry in the past at push time is expired") {
  GpgRepo repo("ed25519", "Alice <alice@example.com>", "1d");
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.openpgp_keys_path = repo.Export("keys.asc", true);
  CHECK(VerifyWith(t, raw).status == SignatureStatus::kGood);
  auto v = VerifyWith(t, raw, Now() + 3 * 86400);
  CHECK(v.status == SignatureStatus::kExpiredKey);
}

TEST_CASE("GnuPG RSA signed commit: unsupported without fallback, good with gpg") {
  GpgRepo repo("rsa3072");
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.openpgp_keys_path = repo.Export("keys.asc", true);
  auto v = VerifyWith(t, raw);
  CHECK(v.status == SignatureStatus::kUnsupported);
  CHECK(v.detail == "RSA signature: enable signers.gpg_fallback");

  t.gpg_fallback = true;
  t.gpg_keyring = repo.Export("keyring.gpg", false);
  v = VerifyWith(t, raw);
  INFO(v.detail);
  CHECK(v.status == SignatureStatus::kGood);
  CHECK(v.signer == "alice@example.com");
  CHECK(v.key_fingerprint == repo.fingerprint);

  std::string tampered = raw;
  tampered[tampered.find("signed change")] = 'X';
  CHECK(VerifyWith(t, tampered).status == SignatureStatus::kBad);
}

TEST_CASE("verification time per commit") {
  SshRepo repo;
  std::string raw = repo.SignedCommit();
  TrustSettings t;
  t.allowed_signers_path = repo.WriteSigners("alice@example.com " + repo.key_line + "\n");
  auto v = CommitVerifier::Create(t);
  REQUIRE(v.ok());
  constexpr int kRounds = 500;
  auto start = std::chrono::steady_clock::now();
  int good = 0;
  for (int i = 0; i < kRounds; ++i) good += (*v)->Verify(raw, Now()).status == SignatureStatus::kGood;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  CHECK(good == kRounds);
  WARN("native SSH Ed25519 commit verification: " << us / kRounds << " us per commit");
}

}  // namespace
}  // namespace pushgate::signatures
