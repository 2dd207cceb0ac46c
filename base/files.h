// Small file-system helpers shared by every module: whole-file reads with a size cap, atomic
// writes, and a temporary directory that removes itself.
//
// Thread-safety: the functions share no state. A TempDir object belongs to one thread.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace pushgate {

// Reads the whole file. Files larger than max_bytes are refused rather than truncated.
Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes = 64ull << 20);

// Writes data to path through a temporary file and rename(), so readers never see half a file.
Status WriteFileAtomic(const std::string& path, const std::string& data, unsigned mode = 0644);

// True when path names an existing file or directory.
bool PathExists(const std::string& path);

// A directory under $TMPDIR (or /tmp) created on construction and removed, with its contents,
// on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "pushgate");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The absolute path, or empty if creation failed.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace pushgate
