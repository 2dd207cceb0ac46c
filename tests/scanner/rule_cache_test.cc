// The parsed-rules cache (scanner/rule_cache.cc) and the seal every cache file carries
// (scanner/cache_file.cc): a damaged cache is rebuilt, never used — in unit tests and through a
// real push to a bare repository with the gate installed.
#include "scanner/rule_cache.h"

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <filesystem>

#include "base/files.h"
#include "scanner/cache_file.h"
#include "scanner/rules.h"
#include "tests/support/git_fixture.h"

namespace pushgate::scanner {
namespace {

using pushgate::testing::GitFixture;

// An AWS access key id, built at run time so that this file carries no key.
std::string AwsKeyId() { return std::string("AKIA") + "QX7T2LMPZ4KDLWRB"; }

std::string OnlyRulesFile(const std::string& dir) {
  std::string found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".rules") {
      REQUIRE(found.empty());
      found = e.path().string();
    }
  }
  REQUIRE_FALSE(found.empty());
  return found;
}

// Replaces every "AKIA" with "AKIB" in place, as one flipped bit per occurrence would.
size_t FlipAkia(std::string* data) {
  size_t n = 0;
  for (size_t at = data->find("AKIA"); at != std::string::npos; at = data->find("AKIA", at + 4), ++n) (*data)[at + 3] = 'B';
  return n;
}

const Rule* FindRule(const RuleSet& set, const std::string& id) {
  for (const Rule& r : set.rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

TEST_CASE("sealed cache data round-trips; a flipped, cut or extended byte is refused") {
  const std::string payload = "pattern: AKIA[A-Z2-7]{16}";
  const std::string sealed = SealCacheData(payload);
  CHECK(sealed.size() == payload.size() + kCacheSealBytes);
  auto back = UnsealCacheData(sealed);
  REQUIRE(back.ok());
  CHECK(*back == payload);
  CHECK(UnsealCacheData(SealCacheData("")).ok());

  std::string flipped = sealed;
  flipped[11] = 'B';
  CHECK(UnsealCacheData(flipped).status().code() == Status::Code::kCorruption);
  std::string bad_digest = sealed;
  bad_digest.back() ^= 1;
  CHECK_FALSE(UnsealCacheData(bad_digest).ok());
  CHECK_FALSE(UnsealCacheData(sealed.substr(0, sealed.size() - 1)).ok());
  CHECK_FALSE(UnsealCacheData(sealed + "x").ok());
  CHECK_FALSE(UnsealCacheData(payload).ok());  // unsealed bytes, as an older release wrote them
  CHECK_FALSE(UnsealCacheData("short").ok());
}

TEST_CASE("a cache file is read back only when its seal matches") {
  TempDir dir;
  const std::string path = dir.path() + "/x.rules";
  REQUIRE(WriteCacheFile(path, "payload bytes").ok());
  auto intact = ReadTrustedCacheFile(path, 1 << 20);
  REQUIRE(intact.ok());
  CHECK(*intact == "payload bytes");

  auto raw = ReadFile(path);
  REQUIRE(raw.ok());
  std::string damaged = *raw;
  damaged[0] = 'P';
  REQUIRE(WriteFileAtomic(path, damaged, 0600).ok());
  auto read = ReadTrustedCacheFile(path, 1 << 20);
  REQUIRE_FALSE(read.ok());
  CHECK(read.status().code() == Status::Code::kCorruption);
  CHECK_THAT(read.status().message(), Catch::Contains(path) && Catch::Contains("digest mismatch"));
}

TEST_CASE("a flipped byte in the cached rules re-parses the rules and rewrites the file") {
  TempDir dir;
  RuleLoadOptions opts;
  opts.cache_dir = dir.path();
  auto first = LoadRuleSet(opts);
  REQUIRE(first.ok());
  const Rule* aws = FindRule(*first, "aws-access-key-id");
  REQUIRE(aws != nullptr);
  REQUIRE(aws->pattern.find("AKIA") != std::string::npos);
  const std::string file = OnlyRulesFile(dir.path());
  auto good = ReadFile(file);
  REQUIRE(good.ok());

  std::string bad = *good;
  REQUIRE(FlipAkia(&bad) > 0);
  REQUIRE(WriteFileAtomic(file, bad, 0600).ok());

  auto second = LoadRuleSet(opts);
  REQUIRE(second.ok());
  const Rule* again = FindRule(*second, "aws-access-key-id");
  REQUIRE(again != nullptr);
  CHECK(again->pattern == aws->pattern);  // the YAML's pattern, not the damaged one
  CHECK(EncodeRuleSet(*second) == EncodeRuleSet(*first));
  auto rewritten = ReadFile(file);
  REQUIRE(rewritten.ok());
  CHECK(*rewritten == *good);  // rebuilt in place
}

TEST_CASE("the intact rules cache is used as written") {
  // The accepting twin of the case above: an undamaged file decodes to the same rules.
  TempDir dir;
  RuleLoadOptions opts;
  opts.cache_dir = dir.path();
  auto first = LoadRuleSet(opts);
  REQUIRE(first.ok());
  auto payload = ReadTrustedCacheFile(OnlyRulesFile(dir.path()), 64 << 20);
  REQUIRE(payload.ok());
  auto decoded = DecodeRuleSet(*payload);
  REQUIRE(decoded.ok());
  CHECK(EncodeRuleSet(*decoded) == EncodeRuleSet(*first));
}

// End to end: the gate on a bare repository with its cache in a known directory.
struct CachedGate : GitFixture {
  CachedGate() {
    Commit("README.md", "hello\n", "initial");
    REQUIRE(Push("origin main").code == 0);
    InstallGate("version: 1\nsecrets: { cache_dir: " + cache() + " }\n");
    Commit("notes.txt", "warm the cache\n", "warm");
    auto warm = Push("origin main");
    INFO(warm.all());
    REQUIRE(warm.code == 0);
  }
  std::string cache() const { return root() + "/cache"; }
};

TEST_CASE("a push through a gate whose cached rules were damaged still refuses an AWS key id") {
  CachedGate g;
  const std::string file = OnlyRulesFile(g.cache());
  auto good = ReadFile(file);
  REQUIRE(good.ok());
  SECTION("AKIA flipped to AKIB in the cached rules") {
    std::string bad = *good;
    REQUIRE(FlipAkia(&bad) > 0);
    REQUIRE(WriteFileAtomic(file, bad, 0600).ok());
  }
  SECTION("cached rules intact") { CHECK(ReadFile(file).ok()); }
  const std::string before = g.ServerRev("main");
  g.Commit("deploy/ids.txt", AwsKeyId() + "\n", "a bare key id, no keyword around it");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(r.err.find("secret/aws-access-key-id: refs/heads/main") != std::string::npos);
  CHECK(g.ServerRev("main") == before);
  auto after = ReadFile(file);
  REQUIRE(after.ok());
  CHECK(*after == *good);  // the damaged file was rebuilt
}

TEST_CASE("a clean push through a gate whose cached rules were damaged lands") {
  CachedGate g;
  const std::string file = OnlyRulesFile(g.cache());
  auto good = ReadFile(file);
  REQUIRE(good.ok());
  std::string bad = *good;
  REQUIRE(FlipAkia(&bad) > 0);
  REQUIRE(WriteFileAtomic(file, bad, 0600).ok());
  g.Commit("docs/readme.md", "nothing secret here\n", "docs");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
}

}  // namespace
}  // namespace pushgate::scanner
