#include "base/locked_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace pushgate {

Result<LockedFile> LockedFile::Open(const std::string& path, int flags, mode_t mode, FileLock lock) {
  UniqueFd fd(open(path.c_str(), flags | O_CLOEXEC, mode));
  if (!fd.valid()) return Status::IOError(path + ": cannot open: " + strerror(errno));
  return Lock(std::move(fd), path, lock);
}

Result<LockedFile> LockedFile::Lock(UniqueFd fd, const std::string& name, FileLock lock) {
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Status::IOError(name + ": " + strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(name + ": not a regular file");
  while (flock(fd.get(), lock == FileLock::kExclusive ? LOCK_EX : LOCK_SH) != 0) {
    if (errno != EINTR) return Status::IOError(name + ": cannot lock: " + strerror(errno));
  }
  return LockedFile(std::move(fd));
}

LockedFile::~LockedFile() { Unlock(); }

LockedFile& LockedFile::operator=(LockedFile&& other) noexcept {
  if (this != &other) {
    Unlock();
    fd_ = std::move(other.fd_);
  }
  return *this;
}

void LockedFile::Unlock() {
  if (fd_.valid()) flock(fd_.get(), LOCK_UN);
}

}  // namespace pushgate
