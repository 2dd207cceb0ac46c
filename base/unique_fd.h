// UniqueFd owns one POSIX file descriptor and closes it when it goes out of scope, so that no
// early return leaks a descriptor. It can be moved, never copied.
//
// Thread-safety: a UniqueFd object belongs to one thread; distinct objects are independent.
#pragma once

namespace pushgate {

class UniqueFd {
 public:
  UniqueFd() = default;
  // Takes ownership of fd; a negative value (a failed open()) owns nothing.
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept;
  UniqueFd& operator=(UniqueFd&& other) noexcept;

  // The descriptor, or -1 when none is owned.
  int get() const { return fd_; }

  // True when a descriptor is owned.
  bool valid() const { return fd_ >= 0; }

  // Closes the owned descriptor, if any, and takes ownership of fd.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

}  // namespace pushgate
