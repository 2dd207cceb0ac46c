#include "scanner/scanner.h"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "scanner/base64.h"

namespace pushgate::scanner {
namespace {

const std::string kFixtureRules = std::string(PUSHGATE_SOURCE_DIR) + "/tests/scanner/fixtures/test-rules.yaml";
const std::string kToken = "tok_Qm9Xv3LpT7rWz2NcK8bYhD4s";

std::unique_ptr<Scanner> MakeScanner(AllowList allow = {}) {
  RuleLoadOptions opts;
  opts.builtin = false;
  opts.extra_files = {kFixtureRules};
  auto rules = LoadRuleSet(opts);
  INFO(rules.status().ToString());
  REQUIRE(rules.ok());
  auto scanner = Scanner::Create(std::move(*rules), std::move(allow), "");
  INFO(scanner.status().ToString());
  REQUIRE(scanner.ok());
  return std::move(*scanner);
}

std::vector<SecretMatch> ScanText(const Scanner& s, std::string_view text, std::string_view path = "") {
  std::vector<SecretMatch> out;
  Status st = s.Scan(text, path, &out);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return out;
}

std::string Base64(std::string_view in) {
  std::string out(sodium_base64_encoded_len(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(strlen(out.c_str()));
  return out;
}

// A random base62 string from a seeded generator, so inputs are realistic and reproducible.
std::string RandomBase62(size_t n, unsigned seed) {
  static const char kChars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::mt19937 gen(seed);
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kChars[gen() % 62];
  return out;
}

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST_CASE("a match is confirmed with its start, secret group, line and column") {
  auto s = MakeScanner();
  auto found = ScanText(*s, "first line\n\n  api:   " + kToken + " # trailing\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].rule_id == "test-token");
  CHECK(found[0].rule_name == "Test service token");
  CHECK(found[0].secret == kToken);
  CHECK(found[0].line == 3);
  CHECK(found[0].column == 10);
  CHECK_FALSE(found[0].in_decoded);
  CHECK(found[0].redacted.find(kToken.substr(4)) == std::string::npos);
}

TEST_CASE("the secret group excludes the surrounding context") {
  auto s = MakeScanner();
  auto found = ScanText(*s, "mysql config\npassword: 'Vq8!rT2m#Lp4zX'\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].rule_id == "test-context");
  CHECK(found[0].secret == "Vq8!rT2m#Lp4zX");
  CHECK(found[0].line == 2);
  CHECK(found[0].column == 1);
}

TEST_CASE("several secrets are each reported once, in order") {
  auto s = MakeScanner();
  std::string other = "tok_" + RandomBase62(24, 7);
  auto found = ScanText(*s, kToken + " " + other + "\nx\n" + kToken + "\n");
  REQUIRE(found.size() == 3);
  CHECK(found[0].secret == kToken);
  CHECK(found[1].secret == other);
  CHECK(found[1].column == kToken.size() + 2);
  CHECK(found[2].line == 3);
}

TEST_CASE("a token one character too long or glued to a word is not a match") {
  auto s = MakeScanner();
  CHECK(ScanText(*s, kToken + "Z").empty());
  CHECK(ScanText(*s, "x" + kToken).empty());
}

TEST_CASE("a secret below the rule's minimum entropy is dropped") {
  auto s = MakeScanner();
  CHECK(ScanText(*s, "tok_abcabcabcabcabcabcabcabc").empty());
  CHECK(ShannonEntropy("abcabcabc") == Approx(std::log2(3.0)));
  CHECK(ShannonEntropy("aaaa") == 0);
}

TEST_CASE("GitHub token checksums are verified") {
  // The CRC-32 used by GitHub is the common IEEE one: check it against its standard test vector.
  REQUIRE(Crc32("123456789") == 0xCBF43926u);
  REQUIRE(Base62(61, 1) == "z");
  REQUIRE(Base62(62, 3) == "010");
  const std::string body = RandomBase62(30, 42);
  const std::string token = "ghp_" + body + Base62(Crc32(body), 6);
  REQUIRE(token.size() == 40);
  CHECK(ValidTokenChecksum(Checksum::kGithub, token));
  std::string tampered = token;
  tampered[10] = tampered[10] == 'a' ? 'b' : 'a';
  CHECK_FALSE(ValidTokenChecksum(Checksum::kGithub, tampered));

  auto s = MakeScanner();
  auto found = ScanText(*s, "GITHUB_TOKEN=" + token + "\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].rule_id == "test-github");
  CHECK(ScanText(*s, "GITHUB_TOKEN=" + tampered + "\n").empty());
}

TEST_CASE("a rule with keywords needs one within 256 bytes before the match") {
  auto s = MakeScanner();
  const std::string line = "password = \"Vq8!rT2m#Lp4zX\"\n";
  CHECK(ScanText(*s, line).empty());
  CHECK(ScanText(*s, "# POSTGRES settings\n" + line).size() == 1);
  CHECK(ScanText(*s, "# postgres\n" + std::string(300, '#') + "\n" + line).empty());
}

TEST_CASE("placeholders and templated values are not secrets") {
  auto s = MakeScanner();
  for (const char* value : {"${DB_PASSWORD}", "{{ secrets.DB }}", "<your-password>", "changeme123",
                            "os.environ[\"DB\"]", "process.env.DB_PASS", "var.db_password", "XXXXXXXXXXXX"}) {
    INFO(value);
    CHECK(ScanText(*s, std::string("mysql_password: ") + value + "\n").empty());
  }
  CHECK(IsPlaceholder("AKIAIOSFODNN7EXAMPLE"));
  CHECK(IsPlaceholder("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
  CHECK(IsPlaceholder("WMI_AUTH11_SHARED"));
  CHECK_FALSE(IsPlaceholder("WMIAUTH11SHARED"));
  CHECK_FALSE(IsPlaceholder(kToken));
}

TEST_CASE("a line with pushgate:allow suppresses its matches only") {
  auto s = MakeScanner();
  CHECK(ScanText(*s, "key: " + kToken + "  # pushgate:allow test fixture\n").empty());
  auto found = ScanText(*s, "# pushgate:allow\nkey: " + kToken + "\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].line == 2);
}

TEST_CASE("allowlists drop matches by path, regex and stopword") {
  AllowList allow;
  allow.paths = {"docs/examples/**", "*.md"};
  allow.regexes = {"D4s$"};
  allow.stopwords = {"DUMMY"};
  auto s = MakeScanner(allow);
  const std::string other = "tok_" + RandomBase62(24, 9);
  CHECK(ScanText(*s, other, "docs/examples/deep/config.yaml").empty());
  CHECK(ScanText(*s, other, "src/README.md").empty());
  CHECK(ScanText(*s, other, "src/config.yaml").size() == 1);
  CHECK(ScanText(*s, kToken, "src/config.yaml").empty());  // regex D4s$
  CHECK(ScanText(*s, "tok_Q7mXv3dummyWz2NcK8bYhD4q", "a.txt").empty());
}

TEST_CASE("invalid allowlist entries are refused with the config key") {
  RuleLoadOptions opts;
  opts.builtin = false;
  opts.extra_files = {kFixtureRules};
  auto rules = LoadRuleSet(opts);
  REQUIRE(rules.ok());
  AllowList allow;
  allow.regexes = {"(unclosed"};
  auto s = Scanner::Create(*rules, allow, "");
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.status().message(), Catch::Contains("secrets.allow.regexes"));
}

TEST_CASE("base64 values are decoded and reported at the encoded line") {
  auto s = MakeScanner();
  const std::string manifest =
      "apiVersion: v1\n"
      "kind: Secret\n"
      "metadata:\n"
      "  name: service\n"
      "data:\n"
      "  username: " + Base64("admin") + "\n"
      "  token: " + Base64("token=" + kToken + "\n") + "\n";
  auto found = ScanText(*s, manifest);
  REQUIRE(found.size() == 1);
  CHECK(found[0].rule_id == "test-token");
  CHECK(found[0].secret == kToken);
  CHECK(found[0].in_decoded);
  CHECK(found[0].line == 7);
  CHECK(found[0].column == 10);
  CHECK(ScanText(*s, "  token: " + Base64(kToken) + " # pushgate:allow\n").empty());
}

TEST_CASE("base64 inside a data:image URI is not decoded") {
  auto s = MakeScanner();
  const std::string payload = Base64("header " + kToken + " trailer");
  CHECK(ScanText(*s, "<img src=\"data:image/png;base64," + payload + "\">").empty());
  CHECK(ScanText(*s, "<a href=\"data:text/plain;base64," + payload + "\">").size() == 1);
  CHECK(IsNonTextDataUri("data:font/woff2;base64,AAAA", 23));
}

TEST_CASE("binary content and Git LFS pointers are skipped") {
  auto s = MakeScanner();
  std::string binary = "\x89PNG\r\n";
  binary += '\0';
  binary += kToken;
  CHECK(Classify(binary) == ContentKind::kBinary);
  CHECK(ScanText(*s, binary).empty());
  const std::string lfs =
      "version https://git-lfs.github.com/spec/v1\n"
      "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
      "size 12345\n" + kToken + "\n";
  CHECK(Classify(lfs) == ContentKind::kLfsPointer);
  CHECK(ScanText(*s, lfs).empty());
  CHECK(Classify("plain text") == ContentKind::kText);
}

TEST_CASE("UTF-16 text with a byte-order mark is scanned") {
  auto s = MakeScanner();
  std::string utf16 = "\xFF\xFE";
  for (char c : "line one\nkey=" + kToken + "\n") {
    utf16 += c;
    utf16 += '\0';
  }
  CHECK(Classify(utf16) == ContentKind::kText);
  auto found = ScanText(*s, utf16);
  REQUIRE(found.size() == 1);
  CHECK(found[0].secret == kToken);
  CHECK(found[0].line == 2);
}

TEST_CASE("a multiline rule matches a block across lines") {
  auto s = MakeScanner();
  const std::string body = RandomBase62(64, 3) + "\n" + RandomBase62(64, 4) + "\n" + RandomBase62(20, 5) + "==";
  auto found = ScanText(*s, "x\n-----BEGIN TEST PRIVATE KEY-----\n" + body + "\n-----END TEST PRIVATE KEY-----\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].rule_id == "test-pem");
  CHECK(found[0].line == 2);
  CHECK(found[0].secret == body);
}

TEST_CASE("an open-ended match reported at every byte is one finding") {
  auto s = MakeScanner();
  const std::string tail = RandomBase62(200, 11);
  std::string lower;
  for (char c : tail) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  auto found = ScanText(*s, "key lg_" + lower + "\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].secret == lower);
}

TEST_CASE("invalid UTF-8 around a secret does not hide it") {
  auto s = MakeScanner();
  auto found = ScanText(*s, "\xC3\x28 \xFF\xFE\xFD " + kToken + " \xE2\x82\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].secret == kToken);
}

TEST_CASE("50 MB of one repeated byte is scanned in bounded time") {
  auto s = MakeScanner();
  for (char c : {'a', 'A', '\n', '='}) {
    std::string big(50u << 20, c);
    auto t = std::chrono::steady_clock::now();
    auto found = ScanText(*s, big);
    double secs = SecondsSince(t);
    INFO("byte " << int(c) << " took " << secs << " s");
    CHECK(found.empty());
    CHECK(secs < 20);
  }
}

TEST_CASE("many near-matches and a long open-ended run are scanned in bounded time") {
  auto s = MakeScanner();
  std::string near;
  for (int i = 0; i < 200000; ++i) near += "tok_" + RandomBase62(23, static_cast<unsigned>(i % 50)) + " password=x ";
  std::string run = "lg_" + RandomBase62(5u << 20, 1);
  for (char& c : run) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  auto t = std::chrono::steady_clock::now();
  CHECK(ScanText(*s, near).empty());
  double near_secs = SecondsSince(t);
  t = std::chrono::steady_clock::now();
  auto found = ScanText(*s, run);
  double secs = SecondsSince(t);
  INFO("near-matches took " << near_secs << " s, the run " << secs << " s");
  CHECK(near_secs < 20);
  CHECK(found.size() >= 1);
  CHECK(found.size() <= 1000);
  CHECK(secs < 20);
}

TEST_CASE("Scan is safe from many threads at once") {
  auto s = MakeScanner();
  std::string text;
  for (int i = 0; i < 200; ++i) text += "line " + std::to_string(i) + " tok_" + RandomBase62(24, static_cast<unsigned>(i)) + "\n";
  const auto expected = ScanText(*s, text);
  REQUIRE(expected.size() == 200);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::vector<SecretMatch> out;
        if (!s->Scan(text, "", &out).ok() || out.size() != expected.size()) return;
        for (size_t k = 0; k < out.size(); ++k) {
          if (out[k].secret != expected[k].secret || out[k].line != expected[k].line) return;
        }
      }
      ok[static_cast<size_t>(t)] = 1;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == std::vector<int>(4, 1));
}

TEST_CASE("redaction shows at most a short prefix and the length") {
  CHECK(Redact("AKIAQX7T2LMPZ4KD9WRB") == "AKIA\u2026(20 chars)");
  CHECK(Redact("short") == "s\u2026(5 chars)");
  CHECK(Redact("") == "\u2026(0 chars)");
  CHECK(Redact(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8)) == "??\u2026(8 chars)");
}

TEST_CASE("base64 decoding accepts padding and refuses other characters") {
  std::string out;
  CHECK(DecodeBase64("aGVsbG8gd29ybGQ=", &out));
  CHECK(out == "hello world");
  CHECK_FALSE(DecodeBase64("aGVs*G8=", &out));
  CHECK(LooksLikeText("key: value\n"));
  CHECK_FALSE(LooksLikeText(std::string("a\0b", 3)));
}

TEST_CASE("a secret a provider rule finds is not reported again by the generic rule") {
  RuleLoadOptions opts;  // the built-in rules: a provider rule and the generic assignment rule
  auto rules = LoadRuleSet(opts);
  REQUIRE(rules.ok());
  auto scanner = Scanner::Create(std::move(*rules), {}, "");
  REQUIRE(scanner.ok());
  // Built at run time so that this file carries no token.
  std::string secret = std::string("q8Jd2kLx0Vn5Rt7Yb3Hc9Wf1") + "Zp6Ms4Ge8Ua2NoPi";
  auto found = ScanText(**scanner, "aws:\n  secret_access_key: " + secret + "\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].rule_id == "aws-secret-access-key");
  // The generic rule still reports what no provider rule knows.
  auto generic = ScanText(**scanner, "service_password: Zr8pQ2vX9mW4kT7nB3yL\n");
  REQUIRE(generic.size() == 1);
  CHECK(generic[0].rule_id == "generic-secret-assignment");
}

}  // namespace
}  // namespace pushgate::scanner
