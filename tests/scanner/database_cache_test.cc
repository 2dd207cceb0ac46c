#include "scanner/database_cache.h"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/files.h"
#include "scanner/scanner.h"

namespace pushgate::scanner {
namespace {

const std::string kFixtureRules = std::string(PUSHGATE_SOURCE_DIR) + "/tests/scanner/fixtures/test-rules.yaml";

RuleSet FixtureRules() {
  RuleLoadOptions opts;
  opts.builtin = false;
  opts.extra_files = {kFixtureRules};
  auto rules = LoadRuleSet(opts);
  REQUIRE(rules.ok());
  return std::move(*rules);
}

std::unique_ptr<Scanner> Create(const RuleSet& rules, const std::string& cache_dir) {
  auto s = Scanner::Create(rules, {}, cache_dir);
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  return std::move(*s);
}

std::string OnlyCacheFile(const std::string& dir) {
  std::string found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".hsdb") {
      REQUIRE(found.empty());
      found = e.path().string();
    }
  }
  REQUIRE_FALSE(found.empty());
  return found;
}

size_t CountFindings(const Scanner& s) {
  std::vector<SecretMatch> out;
  REQUIRE(s.Scan("token: tok_Qm9Xv3LpT7rWz2NcK8bYhD4s\n", "", &out).ok());
  return out.size();
}

TEST_CASE("the second scanner loads the database from the cache") {
  TempDir dir;
  const std::string cache = dir.path() + "/cache";
  auto first = Create(FixtureRules(), cache);
  CHECK_FALSE(first->loaded_from_cache());
  const std::string file = OnlyCacheFile(cache);
  struct stat st;
  REQUIRE(stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);

  auto second = Create(FixtureRules(), cache);
  CHECK(second->loaded_from_cache());
  CHECK(second->cache_warning().empty());
  CHECK(CountFindings(*second) == 1);
}

TEST_CASE("a rule change uses a different cache key") {
  RuleSet rules = FixtureRules();
  std::vector<HsExpression> a = {{"abc[0-9]{4}", 0, 0, "a"}};
  std::vector<HsExpression> b = {{"abc[0-9]{5}", 0, 0, "a"}};
  std::vector<HsExpression> c = {{"abc[0-9]{4}", HS_FLAG_CASELESS, 0, "a"}};
  CHECK(DatabaseCacheKey(a) == DatabaseCacheKey(a));
  CHECK(DatabaseCacheKey(a) != DatabaseCacheKey(b));
  CHECK(DatabaseCacheKey(a) != DatabaseCacheKey(c));
  CHECK(DatabaseCacheKey(a).size() == 64);
}

TEST_CASE("a corrupt cache file is replaced by a fresh compile") {
  TempDir dir;
  auto first = Create(FixtureRules(), dir.path());
  const std::string file = OnlyCacheFile(dir.path());
  auto bytes = ReadFile(file);
  REQUIRE(bytes.ok());

  SECTION("flipped bytes in the middle") {
    std::string data = *bytes;
    for (size_t i = data.size() / 2; i < data.size() / 2 + 16; ++i) data[i] = static_cast<char>(data[i] ^ 0x5A);
    REQUIRE(WriteFileAtomic(file, data, 0600).ok());
  }
  SECTION("truncated") { REQUIRE(WriteFileAtomic(file, bytes->substr(0, bytes->size() / 3), 0600).ok()); }
  SECTION("empty") { REQUIRE(WriteFileAtomic(file, "", 0600).ok()); }

  auto second = Create(FixtureRules(), dir.path());
  CHECK_FALSE(second->loaded_from_cache());
  CHECK(CountFindings(*second) == 1);
  auto third = Create(FixtureRules(), dir.path());
  CHECK(third->loaded_from_cache());
  CHECK(CountFindings(*third) == 1);
}

TEST_CASE("a cache file whose digest does not match is recompiled, never loaded") {
  TempDir dir;
  auto first = Create(FixtureRules(), dir.path());
  const std::string file = OnlyCacheFile(dir.path());
  auto bytes = ReadFile(file);
  REQUIRE(bytes.ok());
  SECTION("one flipped bit in the database bytes") {
    std::string data = *bytes;
    data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 1);
    REQUIRE(WriteFileAtomic(file, data, 0600).ok());
  }
  SECTION("one flipped bit in the digest") {
    std::string data = *bytes;
    data.back() = static_cast<char>(data.back() ^ 1);
    REQUIRE(WriteFileAtomic(file, data, 0600).ok());
  }
  auto second = Create(FixtureRules(), dir.path());
  CHECK_FALSE(second->loaded_from_cache());
  CHECK_THAT(second->cache_warning(), Catch::Contains("digest mismatch") && Catch::Contains("recompiling"));
  CHECK(CountFindings(*second) == 1);
  auto rewritten = ReadFile(file);
  REQUIRE(rewritten.ok());
  CHECK(*rewritten == *bytes);  // replaced by the fresh compile
  auto third = Create(FixtureRules(), dir.path());
  CHECK(third->loaded_from_cache());
}

TEST_CASE("a cache file writable by others is refused") {
  TempDir dir;
  auto first = Create(FixtureRules(), dir.path());
  const std::string file = OnlyCacheFile(dir.path());
  REQUIRE(chmod(file.c_str(), 0666) == 0);
  auto second = Create(FixtureRules(), dir.path());
  CHECK_FALSE(second->loaded_from_cache());
  CHECK_THAT(second->cache_warning(), Catch::Contains("writable by group or others"));
  CHECK(CountFindings(*second) == 1);
}

TEST_CASE("a symlinked cache file is refused") {
  TempDir dir;
  auto first = Create(FixtureRules(), dir.path());
  const std::string file = OnlyCacheFile(dir.path());
  REQUIRE(rename(file.c_str(), (dir.path() + "/real").c_str()) == 0);
  REQUIRE(symlink((dir.path() + "/real").c_str(), file.c_str()) == 0);
  auto second = Create(FixtureRules(), dir.path());
  CHECK_FALSE(second->loaded_from_cache());
}

TEST_CASE("an unwritable cache directory only costs a compile") {
  auto s = Scanner::Create(FixtureRules(), {}, "/proc/pushgate-no-such-cache");
  REQUIRE(s.ok());
  CHECK_FALSE((*s)->loaded_from_cache());
  CHECK_FALSE((*s)->cache_warning().empty());
}

TEST_CASE("a pattern Hyperscan rejects is reported with its rule on a compile") {
  RuleSet rules = FixtureRules();
  rules.rules[1].pattern = "(a)\\1";  // backreferences are outside the common syntax
  auto s = Scanner::Create(rules, {}, "");
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.status().message(), Catch::Contains("rule 'test-context'") && Catch::Contains("Hyperscan"));
}

TEST_CASE("with a cached database the built-in rules are ready within milliseconds") {
  TempDir dir;
  RuleLoadOptions opts;
  opts.cache_dir = dir.path();
  auto rules = LoadRuleSet(opts);
  REQUIRE(rules.ok());
  auto cold_start = std::chrono::steady_clock::now();
  Create(*rules, dir.path());
  double cold = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - cold_start).count();

  auto t0 = std::chrono::steady_clock::now();
  auto warm_rules = LoadRuleSet(opts);
  REQUIRE(warm_rules.ok());
  auto t1 = std::chrono::steady_clock::now();
  auto warm = Create(*warm_rules, dir.path());
  auto t2 = std::chrono::steady_clock::now();
  CHECK(warm->loaded_from_cache());
  double load_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  double create_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
  WARN(warm_rules->rules.size() << " rules: cold compile " << cold << " ms; cached: rules " << load_ms
                                << " ms + database " << create_ms << " ms");
  CHECK(create_ms < cold);
  CHECK(load_ms + create_ms < 100);  // generous for loaded CI machines; typically well under 10 ms
}

TEST_CASE("the default cache directory follows the environment") {
  const char* saved[] = {getenv("PUSHGATE_CACHE_DIR"), getenv("XDG_CACHE_HOME"), getenv("HOME")};
  std::string keep[3];
  for (int i = 0; i < 3; ++i) keep[i] = saved[i] ? saved[i] : "";
  setenv("PUSHGATE_CACHE_DIR", "/x/pg", 1);
  setenv("XDG_CACHE_HOME", "/x/xdg", 1);
  setenv("HOME", "/x/home", 1);
  CHECK(DefaultCacheDir() == "/x/pg");
  unsetenv("PUSHGATE_CACHE_DIR");
  CHECK(DefaultCacheDir() == "/x/xdg/pushgate");
  unsetenv("XDG_CACHE_HOME");
  CHECK(DefaultCacheDir() == "/x/home/.cache/pushgate");
  unsetenv("HOME");
  CHECK(DefaultCacheDir().empty());
  const char* names[] = {"PUSHGATE_CACHE_DIR", "XDG_CACHE_HOME", "HOME"};
  for (int i = 0; i < 3; ++i) {
    if (saved[i]) setenv(names[i], keep[i].c_str(), 1);
  }
}

}  // namespace
}  // namespace pushgate::scanner
