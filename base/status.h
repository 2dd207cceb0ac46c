// Status is the result of an operation that can fail: OK, or a code with a message.
// Modules return Status (or Result<T>) instead of throwing across module boundaries; the code
// maps directly onto pushgate's exit codes (SPEC §2): usage/config errors give 2, internal
// errors 3.
//
// Thread-safety: a Status is an immutable value; distinct objects may be used from any thread.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace pushgate {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,  // bad usage, bad config, bad token: the caller's input is wrong
    kNotFound,         // a named file, object or key does not exist
    kCorruption,       // malformed data: an object, signature or file that does not parse
    kIOError,          // the operating system refused a read, write or spawn
    kTimeout,          // a deadline passed
    kInternal,         // a bug or an unexpected library failure
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Timeout(std::string msg) { return Status(Code::kTimeout, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid argument: <message>" and the like; "ok" for success.
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status Prefixed(const std::string& context) const;

  // The process exit code for this status when it ends a command: 0, 2 or 3.
  int ExitCode() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}      // NOLINT: implicit by design
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace pushgate

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define PG_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::pushgate::Status pg_status_ = (expr);   \
    if (!pg_status_.ok()) return pg_status_;  \
  } while (0)
