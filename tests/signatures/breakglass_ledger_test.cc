#include "signatures/breakglass_ledger.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "base/files.h"

using namespace pushgate;

namespace {
const std::string kId = "0123456789abcdef0123456789abcdef";
const std::string kOtherId = "fedcba9876543210fedcba9876543210";
}  // namespace

TEST_CASE("A token id can be claimed once; the second claim is a replay") {
  TempDir dir;
  std::string ledger = dir.path() + "/used";
  CHECK(!*IsTokenClaimed(ledger, kId));
  REQUIRE(ClaimToken(ledger, kId).ok());
  CHECK(*IsTokenClaimed(ledger, kId));
  Status again = ClaimToken(ledger, kId);
  CHECK(again.code() == Status::Code::kInvalidArgument);
  CHECK(again.message().find("already used") != std::string::npos);
  CHECK(ClaimToken(ledger, kOtherId).ok());
  auto data = ReadFile(ledger);
  REQUIRE(data.ok());
  CHECK(data->rfind(kId + " ", 0) == 0);
  CHECK(std::count(data->begin(), data->end(), '\n') == 2);
  struct stat st;
  REQUIRE(stat(ledger.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
}

TEST_CASE("A prefix or extension of a used id is a different id") {
  TempDir dir;
  std::string ledger = dir.path() + "/used";
  REQUIRE(WriteFileAtomic(ledger, kId + "ff 2024-01-01T00:00:00Z\n").ok());
  CHECK(!*IsTokenClaimed(ledger, kId));
  CHECK(ClaimToken(ledger, kId).ok());
}

TEST_CASE("A ledger whose last line lost its newline still records the next id") {
  TempDir dir;
  std::string ledger = dir.path() + "/used";
  REQUIRE(WriteFileAtomic(ledger, kOtherId + " 2024-01-01T00:00:00Z").ok());
  REQUIRE(ClaimToken(ledger, kId).ok());
  CHECK(*IsTokenClaimed(ledger, kId));
  CHECK(*IsTokenClaimed(ledger, kOtherId));
}

TEST_CASE("Malformed ids and unusable ledgers are refused with a clear error") {
  TempDir dir;
  std::string ledger = dir.path() + "/used";
  for (const std::string& bad : {std::string(), std::string("xyz"), std::string(32, 'G'), kId + "\n" + kOtherId,
                                 std::string("0123456789ABCDEF0123456789ABCDEF"), kId.substr(1) + " "}) {
    Status s = ClaimToken(ledger, bad);
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message().find("32 lowercase hex") != std::string::npos);
  }
  CHECK(!PathExists(ledger));
  CHECK(ClaimToken(dir.path() + "/missing/dir/used", kId).code() == Status::Code::kIOError);
  CHECK(ClaimToken(dir.path(), kId).code() != Status::Code::kOk);
}

TEST_CASE("Eight processes claiming the same id at once: exactly one wins") {
  TempDir dir;
  std::string ledger = dir.path() + "/used";
  int gate[2];
  REQUIRE(pipe(gate) == 0);
  std::vector<pid_t> children;
  for (int i = 0; i < 8; ++i) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(gate[1]);
      char c;
      while (read(gate[0], &c, 1) > 0) {}  // start together when the parent closes the pipe
      Status s = ClaimToken(ledger, kId);
      _exit(s.ok() ? 0 : s.code() == Status::Code::kInvalidArgument ? 1 : 2);
    }
    children.push_back(pid);
  }
  close(gate[0]);
  close(gate[1]);
  int winners = 0, replays = 0;
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 0) ++winners;
    if (WEXITSTATUS(status) == 1) ++replays;
  }
  CHECK(winners == 1);
  CHECK(replays == 7);
  auto data = ReadFile(ledger);
  REQUIRE(data.ok());
  CHECK(std::count(data->begin(), data->end(), '\n') == 1);
}
