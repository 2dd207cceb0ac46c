// Orders object ids the way they are stored in the repository's pack files, by reading the pack
// index files (.idx version 2) directly. Reading blobs in pack order keeps libgit2's delta-base
// cache warm: a delta's base was usually just read. libgit2 has no public call for an object's
// pack offset, hence this small reader.
//
// Thread-safety: a PackOrder is immutable after Load; Rank() may be called from any thread.
#pragma once

#include <git2.h>

#include <cstdint>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "hooks/git.h"

namespace pushgate {

class PackOrder {
 public:
  // Reads every objects/pack/*.idx under git_dir. Malformed index files are skipped (their
  // objects simply sort last), never trusted for anything but order.
  static PackOrder Load(const std::string& git_dir);

  // A sort key: packs in name order, then offset inside the pack; objects in no pack last.
  uint64_t Rank(const git_oid& id) const;

  size_t size() const { return rank_.size(); }

 private:
  std::unordered_map<git_oid, uint64_t, GitOidHash, GitOidEqual> rank_;
};

// Parses one version-2 pack index; calls fn(oid, offset) per object. Corruption on bad input.
Status ReadPackIndex(const std::string& data, void (*fn)(void*, const git_oid&, uint64_t), void* ctx);

}  // namespace pushgate
