#include "signatures/breakglass.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "base/files.h"
#include "signatures/breakglass_key.h"
#include "signatures/breakglass_ledger.h"
#include "signatures/sshsig.h"
#include "tests/support/git_fixture.h"

using namespace pushgate;
using pushgate::signatures::AllowedSigners;
using pushgate::testing::Sh;

namespace {

const std::string kRepo = "acme/infra";
const std::string kRef = "refs/heads/main";
const std::string kOld = "1111111111111111111111111111111111111111";
const std::string kNew = "2222222222222222222222222222222222222222";
const std::string kRule = "secret/aws-access-key-id";
constexpr int64_t kNow = 1700000000;

// A temporary directory with approver keys made by pushgate and an approvers file trusting
// alice and bob.
struct Approvers {
  TempDir dir{"pushgate-breakglass-test"};
  std::string alice_key = dir.path() + "/alice";
  std::string bob_key = dir.path() + "/bob";
  std::string approvers_path = dir.path() + "/approvers";
  std::string approvers_text;

  Approvers() {
    auto alice = BreakglassKeygen(alice_key, "alice");
    auto bob = BreakglassKeygen(bob_key, "bob");
    REQUIRE(alice.ok());
    REQUIRE(bob.ok());
    Trust(alice->approvers_line);
    Trust(bob->approvers_line);
  }

  void Trust(const std::string& line) {
    approvers_text += line + "\n";
    REQUIRE(WriteFileAtomic(approvers_path, approvers_text).ok());
  }

  AllowedSigners Signers() const {
    auto s = AllowedSigners::Parse(approvers_text, approvers_path);
    REQUIRE(s.ok());
    return *s;
  }

  // Payload bytes for the standard push.
  std::string Payload(int64_t ttl = 3600, std::vector<std::string> rules = {kRule}, int64_t now = kNow) const {
    auto p = NewBreakglassPayload(kRepo, kRef, kOld, kNew, rules, "INC-42: rotate the leaked key", ttl, now);
    REQUIRE(p.ok());
    return SerializeBreakglassPayload(*p);
  }

  std::string Sign(const std::string& payload, const std::string& key) const {
    auto t = SignBreakglassToken(payload, key);
    INFO(t.status().ToString());
    REQUIRE(t.ok());
    return *t;
  }

  VerifiedToken Verify(const std::string& token, int64_t now = kNow + 10,
                       const BreakglassVerifyOptions& options = {}) const {
    auto v = VerifyBreakglassToken(token, Signers(), now, options);
    INFO(v.status().ToString());
    REQUIRE(v.ok());
    return *v;
  }
};

PushIdentity Push(const std::string& pusher = "carol") { return PushIdentity{kRepo, kRef, kOld, kNew, pusher, ""}; }

BreakglassPolicy Policy(int required = 1, bool two_person = true) { return BreakglassPolicy{required, two_person, 86400}; }

Status Check(const VerifiedToken& t, const PushIdentity& push = Push(), const BreakglassPolicy& policy = Policy(),
             std::vector<std::string> rules = {kRule}, int64_t now = kNow + 10) {
  return CheckTokenForPush(t, push, rules, policy, now);
}

// Re-encodes a token with one byte of its payload or of its first signature changed.
std::string Tamper(const std::string& text, bool payload, char from, char to) {
  auto t = ParseBreakglassToken(text);
  REQUIRE(t.ok());
  std::string& bytes = payload ? t->payload_bytes : t->signatures[0];
  size_t pos = payload ? bytes.find(from) : bytes.size() - 1;
  REQUIRE(pos != std::string::npos);
  bytes[pos] = payload ? to : static_cast<char>(bytes[pos] ^ 0x01);
  return EncodeBreakglassToken(*t);
}

}  // namespace

TEST_CASE("keygen writes a 0600 key file, an OpenSSH .pub and the approvers line") {
  TempDir dir;
  std::string key = dir.path() + "/approver";
  auto info = BreakglassKeygen(key, "alice@example.com");
  REQUIRE(info.ok());
  struct stat st;
  REQUIRE(stat(key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto secret = ReadFile(key);
  REQUIRE(secret.ok());
  CHECK(secret->rfind("pushgate-breakglass-key-v1 alice@example.com ", 0) == 0);
  CHECK(secret->back() == '\n');
  auto pub = ReadFile(key + ".pub");
  REQUIRE(pub.ok());
  CHECK(*pub == info->public_key_line + "\n");
  CHECK(pub->rfind("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA", 0) == 0);
  CHECK(info->approvers_line ==
        "alice@example.com namespaces=\"pushgate-breakglass\" " + pub->substr(0, pub->rfind(' ')));
  // The real OpenSSH tool reads the public key and agrees on its fingerprint.
  auto r = Sh("ssh-keygen -l -f approver.pub", dir.path());
  REQUIRE(r.code == 0);
  CHECK(r.out.find(info->fingerprint + " alice@example.com (ED25519)") != std::string::npos);
}

TEST_CASE("keygen refuses to overwrite and refuses odd principals") {
  TempDir dir;
  std::string key = dir.path() + "/k";
  REQUIRE(BreakglassKeygen(key, "alice").ok());
  auto again = BreakglassKeygen(key, "alice");
  CHECK(again.status().message().find("already exists") != std::string::npos);
  for (const std::string& bad : {std::string(), std::string("two words"), std::string("quote\""),
                                 std::string("a,b"), std::string(101, 'a')}) {
    auto r = BreakglassKeygen(dir.path() + "/other", bad);
    CHECK(r.status().code() == Status::Code::kInvalidArgument);
  }
  CHECK(!PathExists(dir.path() + "/other"));
  CHECK(BreakglassKeygen(dir.path() + "/missing/dir/k", "alice").status().code() == Status::Code::kIOError);
}

TEST_CASE("A natively made signature is a genuine SSHSIG that ssh-keygen -Y verify accepts") {
  Approvers a;
  std::string payload = a.Payload();
  auto blob = SignBreakglassMessage(payload, a.alice_key);
  REQUIRE(blob.ok());
  REQUIRE(WriteFileAtomic(a.dir.path() + "/payload", payload).ok());
  REQUIRE(WriteFileAtomic(a.dir.path() + "/payload.sig", signatures::ArmorSshsig(*blob)).ok());
  auto r = Sh("ssh-keygen -Y verify -f approvers -I alice -n pushgate-breakglass -s payload.sig < payload",
              a.dir.path());
  INFO(r.all());
  CHECK(r.code == 0);
  auto wrong_ns = Sh("ssh-keygen -Y verify -f approvers -I alice -n git -s payload.sig < payload", a.dir.path());
  CHECK(wrong_ns.code != 0);
}

TEST_CASE("keygen, sign, verify and check accept the push the token was made for") {
  Approvers a;
  std::string token = a.Sign(a.Payload(), a.alice_key);
  CHECK(token.size() < 2048);
  CHECK(token.find('\n') == std::string::npos);
  CHECK(token.find('\0') == std::string::npos);
  VerifiedToken v = a.Verify(token);
  CHECK(v.approvers() == std::vector<std::string>{"alice"});
  CHECK(v.problems.empty());
  CHECK(v.approvals[0].key_type == "ssh-ed25519");
  Status s = Check(v);
  INFO(s.ToString());
  CHECK(s.ok());
  // A token that waives more rules than the push needs is still good.
  CHECK(Check(a.Verify(a.Sign(a.Payload(3600, {kRule, "signed-commit"}), a.alice_key))).ok());
}

TEST_CASE("The same token is refused for another repository, ref, old or new commit") {
  Approvers a;
  VerifiedToken v = a.Verify(a.Sign(a.Payload(), a.alice_key));
  PushIdentity other_repo = Push();
  other_repo.repo = "acme/other";
  CHECK(Check(v, other_repo).message().find("made for repository acme/infra, not acme/other") != std::string::npos);
  PushIdentity other_ref = Push();
  other_ref.ref = "refs/heads/dev";
  CHECK(Check(v, other_ref).message().find("made for refs/heads/main, not refs/heads/dev") != std::string::npos);
  PushIdentity other_old = Push();
  other_old.old_oid = std::string(40, '3');
  CHECK(Check(v, other_old).message().find("update from 111111111111, but refs/heads/main is at 333333333333") !=
        std::string::npos);
  PushIdentity other_new = Push();
  other_new.new_oid = std::string(40, '4');
  CHECK(Check(v, other_new).message().find("update to 222222222222, but this push sets") != std::string::npos);
}

TEST_CASE("Expired, future-dated and over-long tokens are refused by server time") {
  Approvers a;
  VerifiedToken v = a.Verify(a.Sign(a.Payload(3600), a.alice_key));
  Status expired = Check(v, Push(), Policy(), {kRule}, kNow + 3600);
  CHECK(expired.message().find("expired 0 seconds ago") != std::string::npos);
  CHECK(Check(v, Push(), Policy(), {kRule}, kNow + 3599).ok());
  Status future = Check(v, Push(), Policy(), {kRule}, kNow - 1000);
  CHECK(future.message().find("issued 1000 seconds in the future") != std::string::npos);
  VerifiedToken week = a.Verify(a.Sign(a.Payload(7 * 86400), a.alice_key));
  CHECK(Check(week).message().find("lifetime of 604800 seconds exceeds the maximum of 86400") != std::string::npos);
}

TEST_CASE("A flipped byte in the payload or in a signature is not counted") {
  Approvers a;
  std::string token = a.Sign(a.Payload(), a.alice_key);
  for (bool payload : {true, false}) {
    std::string bad = Tamper(token, payload, 'I', 'J');  // "INC-42" becomes "JNC-42"
    VerifiedToken v = a.Verify(bad);
    CHECK(v.approvals.empty());
    REQUIRE(v.problems.size() == 1);
    CHECK(v.problems[0].find("by alice: does not verify") != std::string::npos);
    Status s = Check(v);
    CHECK(s.message().find("needs 1 distinct approver, has 0; not counted: signature 1") != std::string::npos);
  }
}

TEST_CASE("A signature by a key that is not an approver is reported and not counted") {
  Approvers a;
  std::string mallory = a.dir.path() + "/mallory";
  REQUIRE(BreakglassKeygen(mallory, "mallory").ok());
  VerifiedToken v = a.Verify(a.Sign(a.Payload(), mallory));
  CHECK(v.approvals.empty());
  REQUIRE(v.problems.size() == 1);
  CHECK(v.problems[0].find("is not a break-glass approver") != std::string::npos);
  CHECK(!Check(v).ok());
}

TEST_CASE("An approver key trusted only for another namespace or outside its validity is not counted") {
  Approvers a;
  std::string dave = a.dir.path() + "/dave";
  auto info = BreakglassKeygen(dave, "dave");
  REQUIRE(info.ok());
  std::string key_part = info->public_key_line.substr(0, info->public_key_line.rfind(' '));
  a.Trust("dave namespaces=\"git\" " + key_part);
  std::string erin = a.dir.path() + "/erin";
  auto erin_info = BreakglassKeygen(erin, "erin");
  REQUIRE(erin_info.ok());
  a.Trust("erin valid-before=\"20200101Z\" " + erin_info->public_key_line.substr(0, erin_info->public_key_line.rfind(' ')));
  CHECK(a.Verify(a.Sign(a.Payload(), dave)).approvals.empty());
  CHECK(a.Verify(a.Sign(a.Payload(), erin)).approvals.empty());
}

TEST_CASE("k-of-n: one approver when two are required is refused; a cosignature completes it") {
  Approvers a;
  std::string token = a.Sign(a.Payload(), a.alice_key);
  Status one = Check(a.Verify(token), Push(), Policy(2));
  CHECK(one.message().find("needs 2 distinct approvers, has 1") != std::string::npos);
  // alice signing again adds nothing.
  auto twice = CosignBreakglassToken(token, a.alice_key);
  REQUIRE(twice.ok());
  CHECK(*twice == token);
  auto both = CosignBreakglassToken(token, a.bob_key);
  REQUIRE(both.ok());
  CHECK(ParseBreakglassToken(*both)->payload_bytes == ParseBreakglassToken(token)->payload_bytes);
  VerifiedToken v = a.Verify(*both);
  CHECK(v.approvers() == std::vector<std::string>{"alice", "bob"});
  CHECK(Check(v, Push(), Policy(2)).ok());
}

TEST_CASE("Separately signed tokens with one payload merge into a two-approver token") {
  Approvers a;
  std::string payload = a.Payload();
  auto merged = MergeBreakglassTokens({a.Sign(payload, a.alice_key), a.Sign(payload, a.bob_key)});
  REQUIRE(merged.ok());
  REQUIRE(merged->size() == 1);
  auto v = VerifyBreakglassToken((*merged)[0], a.Signers(), kNow + 10);
  REQUIRE(v.ok());
  CHECK(v->approvals.size() == 2);
  CHECK(Check(*v, Push(), Policy(2)).ok());
}

TEST_CASE("Two keys of one approver principal count once") {
  Approvers a;
  std::string second = a.dir.path() + "/alice2";
  auto info = BreakglassKeygen(second, "alice");
  REQUIRE(info.ok());
  a.Trust(info->approvers_line);
  auto token = CosignBreakglassToken(a.Sign(a.Payload(), a.alice_key), second);
  REQUIRE(token.ok());
  VerifiedToken v = a.Verify(*token);
  CHECK(v.approvers() == std::vector<std::string>{"alice"});
  CHECK(v.problems.at(0).find("already signed; counted once") != std::string::npos);
  CHECK(!Check(v, Push(), Policy(2)).ok());
}

TEST_CASE("Under two-person control the pusher's own approval does not count") {
  Approvers a;
  VerifiedToken v = a.Verify(a.Sign(a.Payload(), a.alice_key));
  Status own = Check(v, Push("alice"));
  CHECK(own.message().find("alice may not approve their own push (two-person control)") != std::string::npos);
  CHECK(!Check(v, Push("Alice")).ok());  // the forge's spelling of the name does not matter
  PushIdentity by_email = Push("a.smith");
  by_email.pusher_email = "alice";
  CHECK(!Check(v, by_email).ok());
  CHECK(Check(v, Push("alice"), Policy(1, /*two_person=*/false)).ok());
  CHECK(Check(v, Push(""), Policy(1, true)).message().find("pusher is unknown") != std::string::npos);
  auto both = CosignBreakglassToken(a.Sign(a.Payload(), a.alice_key), a.bob_key);
  REQUIRE(both.ok());
  VerifiedToken vb = a.Verify(*both);
  CHECK(Check(vb, Push("alice")).ok());  // bob approved alice's push
  CHECK(!Check(vb, Push("alice"), Policy(2)).ok());
}

TEST_CASE("A blocking rule the token does not name is refused; there are no wildcards") {
  Approvers a;
  VerifiedToken v = a.Verify(a.Sign(a.Payload(), a.alice_key));
  Status s = Check(v, Push(), Policy(), {kRule, "signed-commit"});
  CHECK(s.message().find("does not waive rule signed-commit") != std::string::npos);
  CHECK(!NewBreakglassPayload(kRepo, kRef, kOld, kNew, {"*"}, "r", 60, kNow).ok());
}

TEST_CASE("A token signed with an OpenSSH Ed25519 key through ssh-keygen verifies natively") {
  Approvers a;
  auto r = Sh("ssh-keygen -q -t ed25519 -N '' -C frank -f frank", a.dir.path());
  REQUIRE(r.code == 0);
  auto pub = ReadFile(a.dir.path() + "/frank.pub");
  REQUIRE(pub.ok());
  a.Trust("frank namespaces=\"pushgate-breakglass\" " + pub->substr(0, pub->rfind(' ')));
  std::string token = a.Sign(a.Payload(), a.dir.path() + "/frank");
  BreakglassVerifyOptions no_fallback;
  no_fallback.ssh_fallback = false;
  VerifiedToken v = a.Verify(token, kNow + 10, no_fallback);
  CHECK(v.approvers() == std::vector<std::string>{"frank"});
  CHECK(Check(v).ok());
  // The public key file works too: ssh-keygen finds the private half (or the agent).
  CHECK(a.Verify(a.Sign(a.Payload(), a.dir.path() + "/frank.pub")).approvers() == std::vector<std::string>{"frank"});
}

TEST_CASE("An RSA approver verifies through ssh-keygen -Y verify, or is reported when the fallback is off") {
  Approvers a;
  auto r = Sh("ssh-keygen -q -t rsa -b 2048 -N '' -C grace -f grace", a.dir.path());
  REQUIRE(r.code == 0);
  auto pub = ReadFile(a.dir.path() + "/grace.pub");
  REQUIRE(pub.ok());
  a.Trust("grace namespaces=\"pushgate-breakglass\" " + pub->substr(0, pub->rfind(' ')));
  std::string token = a.Sign(a.Payload(), a.dir.path() + "/grace");
  VerifiedToken v = a.Verify(token);
  CHECK(v.approvers() == std::vector<std::string>{"grace"});
  CHECK(v.approvals[0].key_type == "ssh-rsa");
  CHECK(Check(v).ok());

  BreakglassVerifyOptions no_fallback;
  no_fallback.ssh_fallback = false;
  VerifiedToken off = a.Verify(token, kNow + 10, no_fallback);
  CHECK(off.approvals.empty());
  CHECK(off.problems.at(0).find("verified only through ssh-keygen, and the ssh fallback is off") != std::string::npos);

  VerifiedToken tampered = a.Verify(Tamper(token, true, 'I', 'J'));
  CHECK(tampered.approvals.empty());
  CHECK(tampered.problems.at(0).find("does not verify") != std::string::npos);
}

TEST_CASE("Signing fails clearly with a passphrase-protected key, a missing key or a broken key file") {
  Approvers a;
  REQUIRE(Sh("ssh-keygen -q -t ed25519 -N secret -f locked", a.dir.path()).code == 0);
  std::string payload = a.Payload();
  auto locked = SignBreakglassToken(payload, a.dir.path() + "/locked");
  CHECK(!locked.ok());
  CHECK(locked.status().message().find("ssh-agent") != std::string::npos);
  CHECK(SignBreakglassToken(payload, a.dir.path() + "/nope").status().code() == Status::Code::kNotFound);
  REQUIRE(WriteFileAtomic(a.dir.path() + "/broken", "pushgate-breakglass-key-v1 alice !!!notbase64\n", 0600).ok());
  auto broken = SignBreakglassToken(payload, a.dir.path() + "/broken");
  CHECK(broken.status().message().find("base64 32-byte Ed25519 seed") != std::string::npos);
  REQUIRE(WriteFileAtomic(a.dir.path() + "/short", "pushgate-breakglass-key-v1 alice\n", 0600).ok());
  CHECK(SignBreakglassToken(payload, a.dir.path() + "/short").status().message().find("has no key") !=
        std::string::npos);
  REQUIRE(WriteFileAtomic(a.dir.path() + "/garbage", std::string(100, '\x01'), 0600).ok());
  CHECK(!SignBreakglassToken(payload, a.dir.path() + "/garbage").ok());
  CHECK(!SignBreakglassToken("not a payload", a.alice_key).ok());
}

TEST_CASE("A signature made for another namespace is not counted") {
  Approvers a;
  REQUIRE(Sh("ssh-keygen -q -t ed25519 -N '' -f henry", a.dir.path()).code == 0);
  auto pub = ReadFile(a.dir.path() + "/henry.pub");
  REQUIRE(pub.ok());
  a.Trust("henry " + pub->substr(0, pub->rfind(' ')));  // any namespace
  std::string payload = a.Payload();
  REQUIRE(WriteFileAtomic(a.dir.path() + "/payload", payload).ok());
  auto r = Sh("ssh-keygen -q -Y sign -f henry -n git < payload > git.sig", a.dir.path());
  REQUIRE(r.code == 0);
  auto armored = ReadFile(a.dir.path() + "/git.sig");
  auto parsed = signatures::ParseArmoredSshsig(*armored);
  REQUIRE(parsed.ok());
  BreakglassToken t;
  t.payload_bytes = payload;
  t.payload = *ParseBreakglassPayload(payload);
  t.signatures = {signatures::SerializeSshsig(*parsed)};
  VerifiedToken v = a.Verify(EncodeBreakglassToken(t));
  CHECK(v.approvals.empty());
  CHECK(v.problems.at(0).find("namespace is \"git\"") != std::string::npos);
}

TEST_CASE("Malformed tokens and garbage signatures give clear errors") {
  Approvers a;
  auto signers = a.Signers();
  CHECK(VerifyBreakglassToken("", signers, kNow).status().message().find("empty") != std::string::npos);
  CHECK(VerifyBreakglassToken("pgbg1.e30.AAAA", signers, kNow).status().message().find("missing member") !=
        std::string::npos);
  CHECK(!VerifyBreakglassToken(std::string(1 << 20, 'x'), signers, kNow).ok());
  BreakglassToken t;
  t.payload_bytes = a.Payload();
  t.payload = *ParseBreakglassPayload(t.payload_bytes);
  t.signatures = {"SSHSIG", std::string("SSHSIG\0\0\0\x01\xff\xff\xff\xff", 14), std::string(500, '\0')};
  VerifiedToken v = a.Verify(EncodeBreakglassToken(t));
  CHECK(v.approvals.empty());
  REQUIRE(v.problems.size() == 3);
  for (const auto& p : v.problems) CHECK(p.find("malformed") != std::string::npos);
}

TEST_CASE("A used token is refused the second time through the ledger") {
  Approvers a;
  VerifiedToken v = a.Verify(a.Sign(a.Payload(), a.alice_key));
  REQUIRE(Check(v).ok());
  std::string ledger = a.dir.path() + "/used";
  CHECK(ClaimToken(ledger, v.payload().id).ok());
  CHECK(ClaimToken(ledger, v.payload().id).message().find("already used") != std::string::npos);
}

TEST_CASE("The audit entry names the token, its approvers, reason and rules") {
  Approvers a;
  VerifiedToken v = a.Verify(a.Sign(a.Payload(), a.alice_key));
  nlohmann::json j = BreakglassAuditJson(v);
  CHECK(j["token_id"] == v.payload().id);
  CHECK(j["approvers"] == nlohmann::json::array({"alice"}));
  CHECK(j["reason"] == "INC-42: rotate the leaked key");
  CHECK(j["rules"] == nlohmann::json::array({kRule}));
  CHECK(j["ref"] == kRef);
  CHECK(!j.contains("problems"));
}
