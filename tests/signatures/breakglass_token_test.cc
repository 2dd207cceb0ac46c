#include "signatures/breakglass_token.h"

#include <catch2/catch.hpp>

using namespace pushgate;

namespace {

const std::string kOld(40, 'a');
const std::string kNew = "0123456789abcdef0123456789abcdef01234567";
constexpr int64_t kNow = 1700000000;

BreakglassPayload Payload() {
  auto p = NewBreakglassPayload("acme/infra", "refs/heads/main", kOld, kNew, {"secret/aws-access-key-id"},
                                "incident INC-42: rotate leaked key", 3600, kNow);
  REQUIRE(p.ok());
  return *p;
}

BreakglassToken Token(std::vector<std::string> sigs = {"sig-one"}) {
  BreakglassToken t;
  t.payload = Payload();
  t.payload_bytes = SerializeBreakglassPayload(t.payload);
  t.signatures = std::move(sigs);
  return t;
}

}  // namespace

TEST_CASE("A new payload has a random 128-bit id, the lifetime and canonical sorted JSON") {
  BreakglassPayload a = Payload();
  BreakglassPayload b = Payload();
  CHECK(a.id.size() == 32);
  CHECK(a.id != b.id);
  CHECK(a.iat == kNow);
  CHECK(a.exp == kNow + 3600);
  std::string bytes = SerializeBreakglassPayload(a);
  CHECK(bytes == "{\"exp\":1700003600,\"iat\":1700000000,\"id\":\"" + a.id +
                     "\",\"new\":\"" + kNew + "\",\"old\":\"" + kOld +
                     "\",\"reason\":\"incident INC-42: rotate leaked key\",\"ref\":\"refs/heads/main\","
                     "\"repo\":\"acme/infra\",\"rules\":[\"secret/aws-access-key-id\"],\"v\":1}");
  auto parsed = ParseBreakglassPayload(bytes);
  REQUIRE(parsed.ok());
  CHECK(parsed->id == a.id);
  CHECK(parsed->rules == a.rules);
}

TEST_CASE("Object ids are lower-cased and SHA-256 ids are accepted") {
  std::string upper(64, 'A');
  auto p = NewBreakglassPayload("r", "refs/heads/x", upper, std::string(64, '0'), {"signed-commit"}, "why", 60, kNow);
  REQUIRE(p.ok());
  CHECK(p->old_oid == std::string(64, 'a'));
}

TEST_CASE("Payload fields are validated when a token is made") {
  auto make = [](std::string repo, std::string ref, std::string old_oid, std::vector<std::string> rules,
                 std::string reason, int64_t ttl) {
    return NewBreakglassPayload(repo, ref, old_oid, kNew, rules, reason, ttl, kNow).status();
  };
  CHECK(make("", "refs/heads/main", kOld, {"x"}, "r", 60).message().find("repo") != std::string::npos);
  CHECK(make("a", "main", kOld, {"x"}, "r", 60).message().find("full ref name") != std::string::npos);
  CHECK(make("a", "refs/heads/main", "abc", {"x"}, "r", 60).message().find("object id") != std::string::npos);
  CHECK(make("a", "refs/heads/main", std::string(64, 'a'), {"x"}, "r", 60).message().find("length") !=
        std::string::npos);
  CHECK(make("a", "refs/heads/main", kOld, {}, "r", 60).message().find("no rule") != std::string::npos);
  CHECK(make("a", "refs/heads/main", kOld, {"*"}, "r", 60).message().find("wildcard") != std::string::npos);
  CHECK(make("a", "refs/heads/main", kOld, {"secret/*"}, "r", 60).message().find("wildcard") != std::string::npos);
  CHECK(make("a", "refs/heads/main", kOld, {"has space"}, "r", 60).message().find("not a rule id") !=
        std::string::npos);
  CHECK(make("a", "refs/heads/main", kOld, {"x", "x"}, "r", 60).message().find("twice") != std::string::npos);
  CHECK(make("a", "refs/heads/main", kOld, {"x"}, "", 60).message().find("reason") != std::string::npos);
  CHECK(make("a", "refs/heads/main", kOld, {"x"}, "two\nlines", 60).message().find("reason") != std::string::npos);
  CHECK(make("a", "refs/heads/main", kOld, {"x"}, "r", 0).message().find("lifetime") != std::string::npos);
}

TEST_CASE("A token round-trips through its URL-safe one-line text") {
  BreakglassToken t = Token({std::string("\xff\xfe\x00sig", 6), "second"});
  std::string text = EncodeBreakglassToken(t);
  CHECK(text.rfind("pgbg1.", 0) == 0);
  CHECK(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
        std::string::npos);
  auto back = ParseBreakglassToken(text + "\n");
  REQUIRE(back.ok());
  CHECK(back->payload_bytes == t.payload_bytes);
  CHECK(back->signatures == t.signatures);
  CHECK(back->payload.reason == t.payload.reason);
}

TEST_CASE("Malformed tokens give clear errors") {
  std::string good = EncodeBreakglassToken(Token());
  std::string payload_part = good.substr(6, good.find('.', 6) - 6);
  auto error = [](const std::string& text) {
    auto r = ParseBreakglassToken(text);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Status::Code::kInvalidArgument);
    return r.status().message();
  };
  CHECK(error("").find("empty") != std::string::npos);
  CHECK(error("  \n").find("empty") != std::string::npos);
  CHECK(error("hello").find("does not start with \"pgbg1.\"") != std::string::npos);
  CHECK(error("pgbg2.abc.def").find("unsupported version") != std::string::npos);
  CHECK(error("pgbg1").find("no payload") != std::string::npos);
  CHECK(error("pgbg1." + payload_part).find("no signature") != std::string::npos);
  CHECK(error("pgbg1." + payload_part + ".").find("signature 1 is empty") != std::string::npos);
  CHECK(error("pgbg1." + payload_part + ".abc$").find("base64url") != std::string::npos);
  CHECK(error("pgbg1." + payload_part + "=.abc").find("base64url") != std::string::npos);
  CHECK(error("pgbg1.!!!!.abc").find("base64url") != std::string::npos);
  CHECK(error("pgbg1." + Base64UrlEncode("not json") + ".abc").find("not a JSON object") != std::string::npos);
  CHECK(error(std::string(100000, 'A')).find("over the limit") != std::string::npos);
  std::string many = "pgbg1." + payload_part;
  for (int i = 0; i < 17; ++i) many += ".AAAA";
  CHECK(error(many).find("more than 16 signatures") != std::string::npos);
}

TEST_CASE("Payloads that are not exactly canonical or complete are refused") {
  BreakglassPayload p = Payload();
  std::string bytes = SerializeBreakglassPayload(p);
  auto error = [](const std::string& b) {
    auto r = ParseBreakglassPayload(b);
    REQUIRE(!r.ok());
    return r.status().message();
  };
  std::string spaced = bytes;
  spaced.insert(1, " ");
  CHECK(error(spaced).find("canonical") != std::string::npos);
  std::string dup = bytes;
  dup.insert(1, "\"v\":1,");
  CHECK(error(dup).find("canonical") != std::string::npos);
  std::string extra = bytes;
  extra.insert(1, "\"admin\":true,");
  CHECK(error(extra).find("unknown member \"admin\"") != std::string::npos);
  std::string v2 = bytes;
  v2.replace(v2.find("\"v\":1"), 5, "\"v\":2");
  CHECK(error(v2).find("unsupported version 2") != std::string::npos);
  std::string str_exp = bytes;
  str_exp.replace(str_exp.find("\"exp\":1700003600"), 16, "\"exp\":\"1700003600\"");
  CHECK(error(str_exp).find("\"exp\" must be an integer") != std::string::npos);
  std::string huge_exp = bytes;
  huge_exp.replace(huge_exp.find("\"exp\":1700003600"), 16, "\"exp\":99999999999999999999");
  CHECK(error(huge_exp).find("exp") != std::string::npos);
  std::string no_rules = bytes;
  no_rules.replace(no_rules.find("\"rules\":["), 9, "\"rulez\":[");
  CHECK(error(no_rules).find("unknown member") != std::string::npos);
  CHECK(error("[]").find("not a JSON object") != std::string::npos);
  CHECK(error(std::string("{\"v\":1\0}", 8)).find("not a JSON object") != std::string::npos);
}

TEST_CASE("Tokens with the same payload merge their signatures; different payloads stay apart") {
  BreakglassToken a = Token({"alice-sig"});
  BreakglassToken b = a;
  b.signatures = {"bob-sig", "alice-sig"};
  BreakglassToken other = Token({"carol-sig"});
  auto merged = MergeBreakglassTokens({EncodeBreakglassToken(a), EncodeBreakglassToken(b), EncodeBreakglassToken(other)});
  REQUIRE(merged.ok());
  REQUIRE(merged->size() == 2);
  CHECK((*merged)[0].signatures == std::vector<std::string>{"alice-sig", "bob-sig"});
  CHECK((*merged)[1].signatures == std::vector<std::string>{"carol-sig"});
  auto bad = MergeBreakglassTokens({EncodeBreakglassToken(a), "garbage"});
  CHECK(bad.status().message().find("token 2") != std::string::npos);
}

TEST_CASE("Base64url decoding is strict") {
  CHECK(*Base64UrlDecode(Base64UrlEncode(std::string("\x00\xff\x10", 3))) == std::string("\x00\xff\x10", 3));
  CHECK(Base64UrlEncode("\xfb\xff").find_first_of("+/=") == std::string::npos);
  CHECK(!Base64UrlDecode("AA==").ok());
  CHECK(!Base64UrlDecode("AB").ok());  // non-zero trailing bits
  CHECK(!Base64UrlDecode("A A").ok());
  CHECK(!Base64UrlDecode("+/").ok());
  CHECK(Base64UrlDecode("").ok());
}
