#include "scanner/rules.h"

#include <catch2/catch.hpp>

#include "base/files.h"
#include "scanner/rule_cache.h"

namespace pushgate::scanner {
namespace {

const std::string kFixtures = std::string(PUSHGATE_SOURCE_DIR) + "/tests/scanner/fixtures/";

Status ParseError(const std::string& yaml) {
  auto r = BuildRuleSet({{"custom.yaml", yaml}}, {});
  REQUIRE_FALSE(r.ok());
  return r.status();
}

const std::string kGood =
    "rules:\n"
    "  - id: demo\n"
    "    name: Demo\n"
    "    pattern: '\\b(demo_[a-z0-9]{12})\\b'\n";

TEST_CASE("the built-in rules are embedded and load") {
  auto sources = BuiltinRuleSources();
  REQUIRE_FALSE(sources.empty());
  for (const auto& s : sources) CHECK(s.name.size() > 5);
  auto set = LoadRuleSet({});
  INFO(set.status().ToString());
  REQUIRE(set.ok());
  CHECK(set->rules.size() >= sources.size());
}

TEST_CASE("a rule file parses into rules with every field") {
  RuleLoadOptions opts;
  opts.builtin = false;
  opts.extra_files = {kFixtures + "test-rules.yaml"};
  auto set = LoadRuleSet(opts);
  REQUIRE(set.ok());
  REQUIRE(set->rules.size() == 5);
  const Rule& ctx = set->rules[1];
  CHECK(ctx.id == "test-context");
  CHECK(ctx.keywords == std::vector<std::string>{"postgres", "mysql"});
  CHECK(ctx.source_line == 11);
  CHECK(set->rules[0].min_entropy == 3.0);
  CHECK(set->rules[2].checksum == Checksum::kGithub);
  CHECK(set->rules[3].multiline);
  CHECK(set->rules[0].examples.size() == 1);
}

TEST_CASE("an unknown field is an error naming file, line, rule and field") {
  RuleLoadOptions opts;
  opts.builtin = false;
  opts.extra_files = {kFixtures + "bad-field.yaml"};
  auto set = LoadRuleSet(opts);
  REQUIRE_FALSE(set.ok());
  CHECK(set.status().message() == kFixtures + "bad-field.yaml:8: rule 'bad-rule': entrpy: unknown field");
}

TEST_CASE("field errors name the field and the problem") {
  CHECK_THAT(ParseError(kGood + "    entropy: high\n").message(),
             Catch::Contains("custom.yaml:5: rule 'demo': entropy: must be a number"));
  CHECK_THAT(ParseError(kGood + "    checksum: crc64\n").message(), Catch::Contains("checksum: 'crc64' is not one of"));
  CHECK_THAT(ParseError(kGood + "    confidence: low\n").message(), Catch::Contains("confidence:"));
  CHECK_THAT(ParseError(kGood + "    keywords: aws\n").message(), Catch::Contains("keywords: must be a list"));
  CHECK_THAT(ParseError(kGood + "    multiline: maybe\n").message(), Catch::Contains("multiline: must be true or false"));
  CHECK_THAT(ParseError("rules:\n  - name: x\n    pattern: y\n").message(), Catch::Contains("id: missing"));
  CHECK_THAT(ParseError("rules:\n  - id: Bad Id\n    name: x\n    pattern: y\n").message(), Catch::Contains("id: 'Bad Id'"));
  CHECK_THAT(ParseError("rules:\n  - id: a\n    name: x\n").message(), Catch::Contains("rule 'a': pattern: missing"));
  CHECK_THAT(ParseError("rules: [\n").message(), Catch::Contains("custom.yaml:") && Catch::Contains("not valid YAML"));
  CHECK_THAT(ParseError("- just a list\n").message(), Catch::Contains("mapping"));
  CHECK_THAT(ParseError("rulez: []\n").message(), Catch::Contains("unknown top-level key"));
}

TEST_CASE("patterns are checked in RE2 and in Hyperscan") {
  // (?<name>...) is valid for Hyperscan but not for this RE2; (?U) for RE2 but not Hyperscan.
  CHECK_THAT(ParseError("rules:\n  - id: a\n    name: x\n    pattern: '(?<secret>abc)d'\n").message(),
             Catch::Contains("custom.yaml:2: rule 'a': pattern: RE2 rejects it"));
  CHECK_THAT(ParseError("rules:\n  - id: a\n    name: x\n    pattern: '(?U)ab+'\n").message(),
             Catch::Contains("rule 'a': pattern: Hyperscan rejects it"));
  CHECK_THAT(ParseError("rules:\n  - id: a\n    name: x\n    pattern: 'a*'\n").message(),
             Catch::Contains("empty string"));
  CHECK(BuildRuleSet({{"custom.yaml", "rules:\n  - id: a\n    name: x\n    pattern: 'a*'\n"}}, {}, false).ok());
}

TEST_CASE("ids are unique across files and disabled ids must exist") {
  auto dup = BuildRuleSet({{"one.yaml", kGood}, {"two.yaml", kGood}}, {});
  REQUIRE_FALSE(dup.ok());
  CHECK_THAT(dup.status().message(), Catch::Contains("two.yaml:2: rule 'demo': id: already defined at one.yaml:2"));

  auto off = BuildRuleSet({{"one.yaml", kGood}}, {"demo"});
  REQUIRE(off.ok());
  CHECK(off->rules.empty());
  auto unknown = BuildRuleSet({{"one.yaml", kGood}}, {"dmeo"});
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.status().message(), Catch::Contains("disabled rule 'dmeo' does not exist"));
}

TEST_CASE("a missing extra rule file is an error naming it") {
  RuleLoadOptions opts;
  opts.builtin = false;
  opts.extra_files = {"/nonexistent/rules.yaml"};
  auto set = LoadRuleSet(opts);
  REQUIRE_FALSE(set.ok());
  CHECK_THAT(set.status().message(), Catch::Contains("/nonexistent/rules.yaml"));
}

TEST_CASE("the parsed-rules cache round-trips and refuses damaged data") {
  auto set = LoadRuleSet({});
  REQUIRE(set.ok());
  const std::string encoded = EncodeRuleSet(*set);
  auto decoded = DecodeRuleSet(encoded);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->rules.size() == set->rules.size());
  for (size_t i = 0; i < set->rules.size(); ++i) {
    const Rule& a = set->rules[i];
    const Rule& b = decoded->rules[i];
    CHECK((a.id == b.id && a.pattern == b.pattern && a.keywords == b.keywords && a.min_entropy == b.min_entropy &&
           a.checksum == b.checksum && a.multiline == b.multiline && a.examples == b.examples &&
           a.negative_examples == b.negative_examples && a.source_line == b.source_line));
  }
  for (size_t cut : {size_t{0}, size_t{10}, encoded.size() / 2, encoded.size() - 1}) {
    CHECK_FALSE(DecodeRuleSet(encoded.substr(0, cut)).ok());
  }
  std::string huge_count = encoded;
  huge_count.replace(17, 8, std::string(8, '\xff'));
  CHECK_FALSE(DecodeRuleSet(huge_count).ok());
  CHECK_FALSE(DecodeRuleSet(encoded + "x").ok());
}

TEST_CASE("loading with a cache directory gives the same rules twice and survives a damaged cache") {
  TempDir dir;
  RuleLoadOptions opts;
  opts.cache_dir = dir.path();
  auto first = LoadRuleSet(opts);
  REQUIRE(first.ok());
  auto second = LoadRuleSet(opts);
  REQUIRE(second.ok());
  CHECK(EncodeRuleSet(*first) == EncodeRuleSet(*second));
  const std::string path = dir.path() + "/" + RuleSetCacheKey(BuiltinRuleSources(), {}) + ".rules";
  REQUIRE(PathExists(path));
  REQUIRE(WriteFileAtomic(path, "garbage", 0600).ok());
  auto third = LoadRuleSet(opts);
  REQUIRE(third.ok());
  CHECK(EncodeRuleSet(*third) == EncodeRuleSet(*first));
}

}  // namespace
}  // namespace pushgate::scanner
