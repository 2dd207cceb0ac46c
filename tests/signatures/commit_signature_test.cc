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

TEST_CASE("gpgsig-sha256 is a signature header and other gpgsig* headers are dropped") {
  auto s = SplitCommitSignature(
      "tree 1\ncommitter C <c@example.com> 1 +0000\ngpgsig-sha256 -----BEGIN PGP SIGNATURE-----\n a\n"
      "gpgsig-future x\n y\n\nmsg\n");
  REQUIRE(s.ok());
  CHECK(s->kind == SignatureKind::kOpenPgp);
  CHECK(s->signature_headers == 1);
  CHECK(s->payload == "tree 1\ncommitter C <c@example.com> 1 +0000\n\nmsg\n");
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

TEST_CASE("odd commits do not crash") {
  CHECK(SplitCommitSignature("").ok());
  CHECK(SplitCommitSignature("gpgsig").ok());
  CHECK(SplitCommitSignature("gpgsig \n \n \n").ok());
  CHECK(SplitCommitSignature("committer <unterminated\n\n").value().committer_email.empty());
  CHECK(SplitCommitSignature(std::string(1000, '\n')).ok());
}

}  // namespace
}  // namespace pushgate::signatures
