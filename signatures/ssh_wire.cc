#include "signatures/ssh_wire.h"

namespace pushgate::signatures {

Result<uint32_t> SshReader::ReadU32(std::string_view what) {
  if (data_.size() < 4) return Status::Corruption("truncated " + std::string(what));
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(data_[i]);
  data_.remove_prefix(4);
  return v;
}

Result<uint8_t> SshReader::ReadByte(std::string_view what) {
  if (data_.empty()) return Status::Corruption("truncated " + std::string(what));
  auto v = static_cast<uint8_t>(data_[0]);
  data_.remove_prefix(1);
  return v;
}

Result<std::string> SshReader::ReadBytes(size_t n, std::string_view what) {
  if (data_.size() < n) return Status::Corruption("truncated " + std::string(what));
  std::string v(data_.substr(0, n));
  data_.remove_prefix(n);
  return v;
}

Result<std::string> SshReader::ReadString(std::string_view what) {
  auto len = ReadU32(what);
  if (!len.ok()) return len.status();
  if (*len > data_.size()) {
    return Status::Corruption(std::string(what) + " length " + std::to_string(*len) + " runs past the end");
  }
  return ReadBytes(*len, what);
}

void AppendU32(std::string& out, uint32_t value) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

void AppendSshString(std::string& out, std::string_view value) {
  AppendU32(out, static_cast<uint32_t>(value.size()));
  out.append(value);
}

}  // namespace pushgate::signatures
