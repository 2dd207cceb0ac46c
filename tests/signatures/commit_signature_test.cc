// Splitting raw commits into payload and signature with Git's header rules.
#include "signatures/commit_signature.h"

#include <catch2/catch.hpp>

#include "base/files.h"
#include "tests/support/git_fixture.h"

namespace pushgate::signatures {
namespace {

constexpr const char* kSigned =
    "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
    "author A <a@example.com> 1700000000 +0000\n"
    "committer Carol Committer <carol@example.com> 1700000000 +0100\n"
    "gpgsig -----BEGIN SSH SIGNATURE-----\n"
    " U1NIU0lH\n"
    " \n"
    " -----END SSH SIGNATURE-----\n"
    "\n"
    "message\n"
    "gpgsig not a header\n";

TEST_CASE("signature header and continuation lines are cut out of the payload") {
  auto s = SplitCommitSignature(kSigned);
  REQUIRE(s.ok());
  CHECK(s->kind == SignatureKind::kSsh);
  CHECK(s->signature_headers == 1);
  CHECK(s->signature == "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n\n-----END SSH SIGNATURE-----\n");
  CHECK(s->payload ==
        "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
        "author A <a@example.com> 1700000000 +0000\n"
        "committer Carol Committer <carol@example.com> 1700000000 +0100\n"
        "\n"
        "message\n"
        "gpgsig not a header\n");
  CHECK(s->committer_email == "carol@example.com");
}

TEST_CASE("a signature in the message body is not a signature") {
  auto s = SplitCommitSignature(
      "tree 1\ncommitter C <c@example.com> 1 +0000\n\nmsg\ngpgsig -----BEGIN PGP SIGNATURE-----\n x\n");
  REQUIRE(s.ok());
  CHECK(s->kind == SignatureKind::kNone);
  CHECK(s->signature_headers == 0);
  CHECK(s->signature.empty());
}

TEST_CASE("gpgsig-sha256 signs only in a SHA-256 repository; other gpgsig* headers are dropped") {
  const std::string raw =
      "tree 1\ncommitter C <c@example.com> 1 +0000\ngpgsig-sha256 -----BEGIN PGP SIGNATURE-----\n a\n"
      "gpgsig-future x\n y\n\nmsg\n";
  auto s = SplitCommitSignature(raw, pushgate::signatures::ObjectFormat::kSha256);
  REQUIRE(s.ok());
  CHECK(s->kind == SignatureKind::kOpenPgp);
  CHECK(s->signature_headers == 1);
  CHECK(s->payload == "tree 1\ncommitter C <c@example.com> 1 +0000\n\nmsg\n");

  // In a SHA-1 repository (the default) a lone gpgsig-sha256 is no signature: Git calls it unsigned.
  auto sha1 = SplitCommitSignature(raw);
  REQUIRE(sha1.ok());
  CHECK(sha1->kind == SignatureKind::kNone);
  CHECK(sha1->signature_headers == 0);
  CHECK(sha1->signature.empty());
  CHECK(sha1->payload == "tree 1\ncommitter C <c@example.com> 1 +0000\n\nmsg\n");

  // And plain gpgsig is no signature in a SHA-256 repository.
  auto other = SplitCommitSignature("tree 1\ngpgsig -----BEGIN SSH SIGNATURE-----\n x\n\nm\n",
                                    pushgate::signatures::ObjectFormat::kSha256);
  REQUIRE(other.ok());
  CHECK(other->signature_headers == 0);
}

TEST_CASE("two signature headers are counted") {
  auto s = SplitCommitSignature("tree 1\ngpgsig -----BEGIN SSH SIGNATURE-----\ngpgsig -----BEGIN SSH SIGNATURE-----\n\nm\n");
  REQUIRE(s.ok());
  CHECK(s->signature_headers == 2);
}

TEST_CASE("kinds are detected from the armor line") {
  CHECK(DetectSignatureKind("-----BEGIN PGP MESSAGE-----\n") == SignatureKind::kOpenPgp);
  CHECK(DetectSignatureKind("-----BEGIN SIGNED MESSAGE-----\n") == SignatureKind::kX509);
  CHECK(DetectSignatureKind("hello") == SignatureKind::kUnknown);
  CHECK(std::string(SignatureKindName(SignatureKind::kX509)) == "x509");
}

TEST_CASE("payload matches what git itself signs") {
  pushgate::testing::GitFixture git;
  auto r = git.Run("ssh-keygen -q -t ed25519 -N '' -f " + git.home() + "/id && git config gpg.format ssh && "
                   "git config user.signingkey " + git.home() + "/id.pub && echo x > f && git add f && "
                   "git commit -q -S -m 'm' && git cat-file commit HEAD");
  REQUIRE(r.code == 0);
  auto s = SplitCommitSignature(r.out);
  REQUIRE(s.ok());
  REQUIRE(s->kind == SignatureKind::kSsh);
  // ssh-keygen accepts exactly this payload and signature as a valid "git" signature.
  REQUIRE(WriteFileAtomic(git.root() + "/sig", s->signature).ok());
  REQUIRE(WriteFileAtomic(git.root() + "/payload", s->payload).ok());
  auto check = git.Run("ssh-keygen -Y check-novalidate -n git -s sig < payload", git.root());
  INFO(check.all());
  CHECK(check.code == 0);
}

// End to end: a commit signed by a trusted key whose `gpgsig` header is renamed `gpgsig-sha256`
// (the payload, and so the signature, stay valid) is pushed into a SHA-1 repository whose live
// path requires signed commits. Git calls it unsigned; so must the gate.
TEST_CASE("a lone gpgsig-sha256 header in a SHA-1 repository is unsigned at the gate; the gpgsig original lands") {
  pushgate::testing::GitFixture g;
  std::string key = g.root() + "/alice";
  REQUIRE(g.Run("ssh-keygen -q -t ed25519 -N '' -C alice -f " + key + " && echo \"alice@example.com $(cat " + key +
                ".pub)\" > " + g.root() + "/allowed_signers && git config gpg.format ssh && git config user.signingkey " +
                key)
              .code == 0);
  g.Commit("live/prod/app.yaml", "replicas: 1\n", "first");
  REQUIRE(g.Push("origin main").code == 0);
  g.InstallGate("version: 1\nsigners: { allowed_signers: " + g.root() + "/allowed_signers }\n"
                "environments:\n  - name: production\n    refs: [refs/heads/main]\n    paths: [\"live/prod/**\"]\n"
                "    require_signed: true\n");
  REQUIRE(g.Run("echo 'replicas: 2' > live/prod/app.yaml && git add -A && git commit -q -S -m signed").code == 0);
  std::string good = g.Run("git rev-parse HEAD").out.substr(0, 40);
  auto renamed = g.Run("git cat-file commit HEAD | sed 's/^gpgsig /gpgsig-sha256 /' | git hash-object -t commit -w --stdin");
  REQUIRE(renamed.code == 0);
  std::string forged = renamed.out.substr(0, 40);
  REQUIRE(g.Run("git cat-file commit " + forged + " | grep -q '^gpgsig-sha256 '").code == 0);

  std::string before = g.ServerRev("main");
  auto bad = g.Push("origin " + forged + ":refs/heads/main");
  INFO(bad.all());
  CHECK(bad.code != 0);
  CHECK(bad.err.find("signed-commit") != std::string::npos);
  CHECK(bad.err.find("unsigned") != std::string::npos);
  CHECK(g.ServerRev("main") == before);

  auto ok = g.Push("origin " + good + ":refs/heads/main");
  INFO(ok.all());
  CHECK(ok.code == 0);
  CHECK(g.ServerRev("main") == good);
}

TEST_CASE("odd commits do not crash") {
  CHECK(SplitCommitSignature("").ok());
  CHECK(SplitCommitSignature("gpgsig").ok());
  CHECK(SplitCommitSignature("gpgsig \n \n \n").ok());
  CHECK(SplitCommitSignature("committer <unterminated\n\n").value().committer_email.empty());
  CHECK(SplitCommitSignature(std::string(1000, '\n')).ok());
}

}  // namespace
}  // namespace pushgate::signatures
