// LockedFile is a regular file opened and held under an advisory flock(), for the append-only
// files several hook processes write at once (the audit log, the used-token ledger). The lock
// and the descriptor are released together on destruction.
//
// Thread-safety: a LockedFile object belongs to one thread. flock() locks belong to the open
// file description, so they serialise processes and separately opened descriptors alike.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>

#include "base/status.h"
#include "base/unique_fd.h"

namespace pushgate {

enum class FileLock {
  kShared,     // readers: many at once
  kExclusive,  // a writer: alone
};

class LockedFile {
 public:
  // Opens path with the open(2) flags (O_CLOEXEC is added) and mode, then checks and locks it
  // as Lock() does. Messages name the path: "<path>: cannot open: <reason>" and the like.
  static Result<LockedFile> Open(const std::string& path, int flags, mode_t mode, FileLock lock);

  // Takes an open descriptor, refuses anything but a regular file (InvalidArgument), and waits
  // for the lock, retrying when a signal interrupts the wait. Messages start with `name`.
  static Result<LockedFile> Lock(UniqueFd fd, const std::string& name, FileLock lock);

  ~LockedFile();
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;
  LockedFile(LockedFile&& other) noexcept = default;
  LockedFile& operator=(LockedFile&& other) noexcept;

  // The locked descriptor; valid as long as this object.
  int fd() const { return fd_.get(); }

 private:
  explicit LockedFile(UniqueFd fd) : fd_(std::move(fd)) {}
  void Unlock();

  UniqueFd fd_;
};

}  // namespace pushgate
