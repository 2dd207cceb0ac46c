// Reading and writing the SSH wire encoding (RFC 4251 §5): big-endian uint32 and length-prefixed
// strings. The reader never reads past its input: every length is checked against what is left.
//
// Thread-safety: an SshReader belongs to one thread; the free functions share no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pushgate::signatures {

class SshReader {
 public:
  explicit SshReader(std::string_view data) : data_(data) {}

  // Reads a uint32; Corruption naming `what` when fewer than 4 bytes are left.
  Result<uint32_t> ReadU32(std::string_view what);
  // Reads one byte.
  Result<uint8_t> ReadByte(std::string_view what);
  // Reads exactly n raw bytes.
  Result<std::string> ReadBytes(size_t n, std::string_view what);
  // Reads a uint32 length and that many bytes.
  Result<std::string> ReadString(std::string_view what);

  bool AtEnd() const { return data_.empty(); }
  std::string_view rest() const { return data_; }

 private:
  std::string_view data_;
};

// Appends a big-endian uint32.
void AppendU32(std::string& out, uint32_t value);
// Appends a uint32 length followed by the bytes.
void AppendSshString(std::string& out, std::string_view value);

}  // namespace pushgate::signatures
