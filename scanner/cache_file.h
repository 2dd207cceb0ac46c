// Files in the scanner's cache directory (compiled databases, parsed rule sets): read only when
// they can only have been written by the current user, written atomically so a concurrent reader
// never sees half a file.
//
// Thread-safety: the functions share no state.
#pragma once

#include <string>

#include "base/status.h"

namespace pushgate::scanner {

// Reads a cache file. NotFound when absent; InvalidArgument when it is a symlink, not a regular
// file, not owned by the current user, writable by group or others, or larger than max_bytes.
Result<std::string> ReadTrustedCacheFile(const std::string& path, size_t max_bytes);

// Writes data to path (mode 0600) through a fresh mkstemp() file in the same directory and a
// rename, so a pre-planted file or symlink in a shared directory cannot redirect the write.
Status WriteCacheFile(const std::string& path, const std::string& data);

// Creates dir (and parents) if needed; a directory owned by the current user is made private.
Status EnsureCacheDir(const std::string& dir);

// Lower-case hex of n bytes.
std::string HexBytes(const unsigned char* data, size_t n);

}  // namespace pushgate::scanner
