// Files in the scanner's cache directory (compiled databases, parsed rule sets, verdicts): read
// only when they can only have been written by the current user and are intact, written
// atomically so a concurrent reader never sees half a file.
//
// Integrity: every cache file is sealed. WriteCacheFile stores the payload followed by a
// BLAKE2b-256 digest of it (libsodium crypto_generichash); ReadTrustedCacheFile recomputes the
// digest and returns the payload only when it matches, else Corruption. The caller then rebuilds
// (re-parses, recompiles, rescans) and rewrites the file: a damaged cache is never used. The
// digest is unkeyed: it catches damage (a flipped bit, a truncated or foreign file), while the
// ownership and mode checks keep other users out; the user the cache belongs to can rewrite it.
//
// Thread-safety: the functions share no state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pushgate::scanner {

// Bytes the seal adds to a payload.
inline constexpr size_t kCacheSealBytes = 32;

// The payload followed by its BLAKE2b-256 digest: the bytes of a cache file.
std::string SealCacheData(std::string_view payload);

// The payload of sealed bytes; Corruption when they are shorter than a digest or the digest does
// not match (a damaged, truncated or foreign file).
Result<std::string_view> UnsealCacheData(std::string_view sealed);

// Reads a cache file and returns its payload. NotFound when absent; InvalidArgument when it is a
// symlink, not a regular file, not owned by the current user, writable by group or others, or
// larger than max_bytes (payload bytes); Corruption when its seal does not match.
Result<std::string> ReadTrustedCacheFile(const std::string& path, size_t max_bytes);

// Writes the sealed payload to path (mode 0600) through a fresh mkstemp() file in the same
// directory and a rename, so a pre-planted file or symlink in a shared directory cannot redirect
// the write.
Status WriteCacheFile(const std::string& path, std::string_view payload);

// Creates dir (and parents) if needed; a directory owned by the current user is made private.
Status EnsureCacheDir(const std::string& dir);

// Lower-case hex of n bytes.
std::string HexBytes(const unsigned char* data, size_t n);

}  // namespace pushgate::scanner
