// Compiles the scanner's Hyperscan database, or loads it from an on-disk cache so a hook starts
// in milliseconds instead of spending seconds compiling (SPEC §4).
//
// Cache file: <cache_dir>/<key>.hsdb holding hs_serialize_database() output, sealed with a
// BLAKE2b-256 digest checked before Hyperscan sees the bytes (scanner/cache_file.h). The key is a
// BLAKE2b hash over every expression (pattern, flags, id), hs_version() and the host platform
// (hs_populate_platform: CPU features and tuning), so a rule change, a library upgrade or another
// CPU never reuses a stale database. Files are written atomically; a file not owned by the
// current user, or writable by group or others, is refused; a digest mismatch or any other load
// failure falls back to a fresh compile that replaces the file.
//
// Thread-safety: the functions share no state; concurrent processes may race on the same cache
// file safely because writes are atomic renames.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "scanner/hyperscan.h"

namespace pushgate::scanner {

// One expression of a multi-pattern database.
struct HsExpression {
  std::string pattern;
  unsigned flags = 0;
  unsigned id = 0;
  std::string label;  // names the expression in compile errors, e.g. "aws.yaml:3: rule 'aws-key'"
};

struct LoadedDatabase {
  HsDatabase db;
  bool from_cache = false;   // true when the database was deserialized from the cache
  std::string cache_path;    // the cache file used or written; empty without a cache
  std::string cache_warning; // why the cache was not used or not written (informational)
};

// Compiles the expressions into one block-mode database; the error names the failing label.
Result<HsDatabase> CompileDatabase(const std::vector<HsExpression>& expressions);

// The hex cache key for these expressions on this host with this Hyperscan.
std::string DatabaseCacheKey(const std::vector<HsExpression>& expressions);

// Loads the database from cache_dir when a valid cached copy exists, else compiles it and (when
// cache_dir is not empty) stores it there. Cache problems never fail the call; compile errors do.
Result<LoadedDatabase> LoadOrCompileDatabase(const std::vector<HsExpression>& expressions,
                                             const std::string& cache_dir);

// $PUSHGATE_CACHE_DIR, else $XDG_CACHE_HOME/pushgate, else $HOME/.cache/pushgate, else "".
std::string DefaultCacheDir();

}  // namespace pushgate::scanner
