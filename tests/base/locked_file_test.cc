#include "base/locked_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/files.h"
#include "base/unique_fd.h"

namespace pushgate {
namespace {

// True when a separately opened descriptor of path can take the lock without waiting.
bool CanLock(const std::string& path, int operation) {
  UniqueFd other(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(other.valid());
  return flock(other.get(), operation | LOCK_NB) == 0;
}

TEST_CASE("an exclusive lock keeps other openers out until the file is destroyed") {
  TempDir dir;
  std::string path = dir.path() + "/log";
  {
    auto file = LockedFile::Open(path, O_RDWR | O_APPEND | O_CREAT, 0640, FileLock::kExclusive);
    REQUIRE(file.ok());
    struct stat st;
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777 & ~0640) == 0);  // created with the mode asked for, never wider
    CHECK(!CanLock(path, LOCK_SH));
    CHECK(write(file->fd(), "x\n", 2) == 2);
  }
  CHECK(CanLock(path, LOCK_EX));
}

TEST_CASE("shared locks admit readers and keep writers out") {
  TempDir dir;
  std::string path = dir.path() + "/ledger";
  REQUIRE(WriteFileAtomic(path, "a\n").ok());
  auto file = LockedFile::Open(path, O_RDONLY, 0, FileLock::kShared);
  REQUIRE(file.ok());
  CHECK(CanLock(path, LOCK_SH));
  CHECK(!CanLock(path, LOCK_EX));
  LockedFile moved = std::move(*file);
  CHECK(!CanLock(path, LOCK_EX));
}

TEST_CASE("a missing file or a directory is refused with its path named") {
  TempDir dir;
  auto missing = LockedFile::Open(dir.path() + "/absent", O_RDONLY, 0, FileLock::kShared);
  REQUIRE(!missing.ok());
  CHECK(missing.status().code() == Status::Code::kIOError);
  CHECK(missing.status().message().find(dir.path() + "/absent: cannot open") == 0);

  auto directory = LockedFile::Open(dir.path(), O_RDONLY, 0, FileLock::kShared);
  REQUIRE(!directory.ok());
  CHECK(directory.status().code() == Status::Code::kInvalidArgument);
  CHECK(directory.status().message() == dir.path() + ": not a regular file");
}

TEST_CASE("an adopted descriptor is checked and its messages use the given name") {
  TempDir dir;
  UniqueFd fd(open(dir.path().c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(fd.valid());
  auto locked = LockedFile::Lock(std::move(fd), "used-token ledger " + dir.path(), FileLock::kExclusive);
  REQUIRE(!locked.ok());
  CHECK(locked.status().message() == "used-token ledger " + dir.path() + ": not a regular file");
}

TEST_CASE("a moved UniqueFd closes its descriptor exactly once") {
  TempDir dir;
  REQUIRE(WriteFileAtomic(dir.path() + "/f", "").ok());
  int raw = open((dir.path() + "/f").c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(raw >= 0);
  {
    UniqueFd a(raw);
    UniqueFd b = std::move(a);
    CHECK(!a.valid());
    CHECK(b.get() == raw);
    CHECK(fcntl(raw, F_GETFD) != -1);
  }
  CHECK(fcntl(raw, F_GETFD) == -1);
}

}  // namespace
}  // namespace pushgate
