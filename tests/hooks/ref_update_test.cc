#include "hooks/ref_update.h"

#include <catch2/catch.hpp>

using namespace pushgate;

namespace {
const std::string kZero(40, '0');
const std::string kA(40, 'a');
const std::string kB = "0123456789abcdef0123456789abcdef01234567";
}  // namespace

TEST_CASE("pre-receive lines parse into updates, blank lines and CRLF tolerated") {
  auto r = ParseRefUpdates(kA + " " + kB + " refs/heads/main\r\n\n" + kZero + " " + kB + " refs/tags/v1\n");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].ref == "refs/heads/main");
  CHECK((*r)[0].old_oid == kA);
  CHECK_FALSE((*r)[0].is_create());
  CHECK((*r)[1].is_create());
  CHECK((*r)[1].is_tag());
  CHECK((*r)[1].change == RefChange::kCreate);
}

TEST_CASE("a delete has a zero new id") {
  auto r = ParseRefUpdates(kA + " " + kZero + " refs/heads/gone\n");
  REQUIRE(r.ok());
  CHECK((*r)[0].is_delete());
  CHECK((*r)[0].change == RefChange::kDelete);
}

TEST_CASE("SHA-256 ids are refused with a clear message") {
  auto r = ParseRefUpdates(std::string(64, 'a') + " " + std::string(64, 'b') + " refs/heads/main\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("SHA-256") != std::string::npos);
}

TEST_CASE("malformed lines are refused naming the line") {
  CHECK_FALSE(ParseRefUpdates("garbage\n").ok());
  CHECK_FALSE(ParseRefUpdates(kA + " " + kB + "\n").ok());
  CHECK_FALSE(ParseRefUpdates(kA + " " + kB + " main\n").ok());             // not a full ref name
  CHECK_FALSE(ParseRefUpdates(kA + " XYZ" + kB.substr(3) + " refs/x\n").ok());  // not hex
  CHECK_FALSE(ParseRefUpdates(kZero + " " + kZero + " refs/heads/x\n").ok());
  CHECK_FALSE(ParseRefUpdates(kA + " " + kB + " refs/heads/a\x01" "b\n").ok());
  auto r = ParseRefUpdates(kA + " " + kB + " refs/heads/ok\nbad line here\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("line 2") != std::string::npos);
}

TEST_CASE("update-hook arguments use the same checks") {
  CHECK(MakeRefUpdate("refs/heads/main", kA, kB).ok());
  CHECK_FALSE(MakeRefUpdate("refs/heads/main", "short", kB).ok());
}
