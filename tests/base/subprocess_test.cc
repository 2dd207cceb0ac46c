#include "base/subprocess.h"

#include <catch2/catch.hpp>

using namespace pushgate;

TEST_CASE("RunProcess captures output and exit code") {
  auto r = RunProcess({"sh", "-c", "echo out; echo err >&2; exit 3"});
  REQUIRE(r.ok());
  CHECK(r->exit_code == 3);
  CHECK(r->out == "out\n");
  CHECK(r->err == "err\n");
}

TEST_CASE("RunProcess feeds stdin larger than a pipe buffer") {
  std::string input(1 << 20, 'x');
  ProcessOptions o;
  o.stdin_data = input;
  auto r = RunProcess({"wc", "-c"}, o);
  REQUIRE(r.ok());
  CHECK(r->out.find("1048576") != std::string::npos);
}

TEST_CASE("RunProcess kills a child that passes its deadline") {
  ProcessOptions o;
  o.timeout = std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  auto r = RunProcess({"sh", "-c", "sleep 120 & sleep 120"}, o);
  REQUIRE(r.ok());
  CHECK(r->timed_out);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));  // far below the sleep
}

TEST_CASE("RunProcess sets and removes environment variables and the directory") {
  ProcessOptions o;
  o.set_env = {{"PG_TEST_VAR", "value"}};
  o.unset_env = {"HOME"};
  o.cwd = "/";
  auto r = RunProcess({"sh", "-c", "echo \"$PG_TEST_VAR:${HOME:-none}:$(pwd)\""}, o);
  REQUIRE(r.ok());
  CHECK(r->out == "value:none:/\n");
}

TEST_CASE("RunProcess reports a missing program as exit 127") {
  auto r = RunProcess({"pushgate-no-such-program"});
  REQUIRE(r.ok());
  CHECK(r->exit_code == 127);
}
