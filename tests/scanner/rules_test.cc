#include <catch2/catch.hpp>

#include "scanner/rules.h"

using namespace pushgate::scanner;

TEST_CASE("builtin rules load") {
  auto set = LoadRuleSet({});
  INFO(set.status().ToString());
  REQUIRE(set.ok());
}
