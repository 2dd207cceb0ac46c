#include "scanner/baseline.h"

#include <catch2/catch.hpp>

#include "base/files.h"

namespace pushgate::scanner {
namespace {

const std::string kSecret = "AKIAQX7T2LMPZ4KD9WRB";

TEST_CASE("a baseline recognises what was added and nothing else") {
  Baseline b = Baseline::Create();
  CHECK_FALSE(b.Contains("aws-access-key-id", kSecret));
  CHECK(b.Add("aws-access-key-id", kSecret));
  CHECK_FALSE(b.Add("aws-access-key-id", kSecret));
  CHECK(b.Contains("aws-access-key-id", kSecret));
  CHECK_FALSE(b.Contains("aws-access-key-id", kSecret + "X"));
  CHECK_FALSE(b.Contains("other-rule", kSecret));
  CHECK(b.size() == 1);
}

TEST_CASE("a saved baseline loads with the same key and entries, without the secret") {
  TempDir dir;
  const std::string path = dir.path() + "/baseline.json";
  Baseline b = Baseline::Create();
  b.Add("aws-access-key-id", kSecret);
  b.Add("test-token", "tok_Qm9Xv3LpT7rWz2NcK8bYhD4s");
  REQUIRE(b.Save(path).ok());
  auto text = ReadFile(path);
  REQUIRE(text.ok());
  CHECK(text->find(kSecret) == std::string::npos);
  CHECK(text->find("AKIA") == std::string::npos);
  CHECK(text->find("\"version\": 1") != std::string::npos);

  auto loaded = Baseline::Load(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->size() == 2);
  CHECK(loaded->Contains("aws-access-key-id", kSecret));
  CHECK(loaded->Fingerprint("r", "s") == b.Fingerprint("r", "s"));
  loaded->Add("third", "value-3");
  REQUIRE(loaded->Save(path).ok());
  auto again = Baseline::Load(path);
  REQUIRE(again.ok());
  CHECK(again->size() == 3);
  CHECK(again->Fingerprint("r", "s") == b.Fingerprint("r", "s"));
}

TEST_CASE("fingerprints are keyed per baseline and separate rule from secret") {
  Baseline a = Baseline::Create();
  Baseline b = Baseline::Create();
  CHECK(a.Fingerprint("rule", kSecret) != b.Fingerprint("rule", kSecret));
  CHECK(a.Fingerprint("rule", kSecret).size() == 64);
  CHECK(a.Fingerprint("ab", "c") != a.Fingerprint("a", "bc"));
}

TEST_CASE("malformed baseline files are refused with a reason") {
  const std::string key(64, 'a');
  const std::string fp(64, 'b');
  struct Case {
    std::string json;
    std::string reason;
  };
  for (const Case& c : std::vector<Case>{
           {"", "not valid JSON"},
           {"{\"version\":1,", "not valid JSON"},
           {"[]", "must be a JSON object"},
           {"{\"version\":2,\"key\":\"" + key + "\",\"fingerprints\":[]}", "\"version\" must be 1"},
           {"{\"version\":1,\"key\":\"abc\",\"fingerprints\":[]}", "\"key\""},
           {"{\"version\":1,\"key\":\"" + key + "\"}", "\"fingerprints\" must be a list"},
           {"{\"version\":1,\"key\":\"" + key + "\",\"fingerprints\":[1]}", "fingerprints[0] must be an object"},
           {"{\"version\":1,\"key\":\"" + key + "\",\"fingerprints\":[{\"rule\":\"r\",\"fingerprint\":\"zz\"}]}",
            "fingerprints[0].fingerprint"},
           {"{\"version\":1,\"key\":\"" + key + "\",\"fingerprints\":[{\"fingerprint\":\"" + fp + "\"}]}",
            "fingerprints[0].rule"},
       }) {
    INFO(c.json);
    auto b = Baseline::Parse(c.json, "b.json");
    REQUIRE_FALSE(b.ok());
    CHECK(b.status().code() == Status::Code::kCorruption);
    CHECK_THAT(b.status().message(), Catch::Contains("baseline b.json: " + c.reason));
  }
  CHECK(Baseline::Parse("{\"version\":1,\"key\":\"" + key + "\",\"fingerprints\":[]}", "b.json").ok());
  CHECK(Baseline::Load("/nonexistent/baseline.json").status().code() == Status::Code::kNotFound);
}

}  // namespace
}  // namespace pushgate::scanner
