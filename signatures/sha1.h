// SHA-1 (FIPS 180-4), needed only to compute OpenPGP v4 key fingerprints and key ids; libsodium
// has no SHA-1. Never used to accept a signature: SHA-1 signature digests are refused.
//
// Thread-safety: a Sha1 object belongs to one thread; Sha1Digest is pure.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pushgate::signatures {

class Sha1 {
 public:
  Sha1();
  // Feeds more bytes.
  void Update(std::string_view data);
  // Finishes and returns the 20-byte digest; the object must not be used afterwards.
  std::string Final();

 private:
  void Block(const uint8_t* block);
  std::array<uint32_t, 5> h_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

// The 20-byte SHA-1 digest of data.
std::string Sha1Digest(std::string_view data);

// Lower-case hex of bytes.
std::string HexEncode(std::string_view bytes);

}  // namespace pushgate::signatures
