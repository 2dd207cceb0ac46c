// VerdictCache remembers which blobs a scanner with one rule set found clean, so that content the
// gate must judge again (everything a push makes reachable, whether or not the object store held
// it before) is cheap to re-judge. It is keyed by the scanner's VerdictKey (rules, allowlists
// applied inside the scanner, format) and by blob id; path allowlists are applied after it, per
// path, so a verdict never depends on where a blob appears.
//
// Only clean verdicts are kept: a blob with any match is scanned again every time, so the cache
// never holds secret bytes and can only ever save work. A cache that is missing, not owned by the
// current user, writable by others, truncated, or whose checksum does not match is treated as
// empty: corruption means a rescan, never a skipped blob.
//
// File: `<dir>/verdicts-<key>.bin`: "PGVC1\n", the 16-byte key, a little-endian u64 count, the
// sorted 20-byte blob ids, and a BLAKE2b-256 of everything before it (the seal of every cache
// file, scanner/cache_file.h). Written whole, atomically.
//
// Thread-safety: a VerdictCache is used by one thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace pushgate::scanner {

class VerdictCache {
 public:
  using Id = std::array<unsigned char, 20>;

  // Opens the cache for `key` (hex) in dir. Never fails: an unusable file gives an empty cache
  // and says why in warning().
  static VerdictCache Open(const std::string& dir, const std::string& key);

  // True when the blob is known clean under this key.
  bool IsClean(const unsigned char* id) const;
  // Records a blob scanned completely with no match.
  void AddClean(const unsigned char* id);
  // Merges the recorded verdicts into the file. A cache that cannot be written costs only time.
  Status Save();

  size_t size() const { return known_.size(); }
  size_t added() const { return added_.size(); }
  const std::string& warning() const { return warning_; }
  const std::string& path() const { return path_; }

  // The file's bytes, seal included, for a set of ids (exposed for tests and the benchmark's size
  // figure).
  static std::string Encode(const std::string& key, std::vector<Id> ids);

 private:
  std::string dir_, key_, path_, warning_;
  std::vector<Id> known_;  // sorted
  std::vector<Id> added_;
};

}  // namespace pushgate::scanner
