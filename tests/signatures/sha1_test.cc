// SHA-1 against the FIPS 180 / RFC 3174 test vectors.
#include "signatures/sha1.h"

#include <catch2/catch.hpp>

namespace pushgate::signatures {
namespace {

TEST_CASE("SHA-1 of \"abc\"") { CHECK(HexEncode(Sha1Digest("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d"); }

TEST_CASE("SHA-1 of the empty string") {
  CHECK(HexEncode(Sha1Digest("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST_CASE("SHA-1 of the two-block message") {
  CHECK(HexEncode(Sha1Digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST_CASE("SHA-1 of one million 'a', fed in uneven pieces") {
  Sha1 sha;
  std::string chunk(997, 'a');
  size_t left = 1000000;
  while (left > 0) {
    size_t n = std::min(left, chunk.size());
    sha.Update(std::string_view(chunk).substr(0, n));
    left -= n;
  }
  CHECK(HexEncode(sha.Final()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("SHA-1 padding boundaries (55, 56, 63, 64 bytes) differ and are stable") {
  CHECK(HexEncode(Sha1Digest(std::string(55, 'a'))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  CHECK(HexEncode(Sha1Digest(std::string(56, 'a'))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  CHECK(HexEncode(Sha1Digest(std::string(64, 'a'))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

}  // namespace
}  // namespace pushgate::signatures
