#include "scanner/verdict_cache.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "scanner/cache_file.h"

namespace pushgate::scanner {

namespace {

constexpr char kMagic[] = "PGVC1\n";
constexpr size_t kMagicBytes = 6;
constexpr size_t kKeyBytes = 16;
constexpr size_t kHeaderBytes = kMagicBytes + kKeyBytes + 8;
// About 3.3 million blobs: past it the cache starts over with what this run learned.
constexpr size_t kMaxFileBytes = 64u << 20;

std::string KeyBytes(const std::string& hex) {
  std::string raw(kKeyBytes, '\0');
  size_t n = 0;
  sodium_hex2bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), hex.data(), hex.size(), nullptr, &n, nullptr);
  return raw;
}

// Parses a cache file's payload (its seal already checked); an error says why it is ignored.
Result<std::vector<VerdictCache::Id>> Decode(const std::string& data, const std::string& key) {
  if (data.size() < kHeaderBytes || data.compare(0, kMagicBytes, kMagic) != 0) {
    return Status::Corruption("not a verdict cache, or truncated");
  }
  if (data.compare(kMagicBytes, kKeyBytes, KeyBytes(key)) != 0) return Status::Corruption("made for other rules");
  uint64_t count = 0;
  for (int i = 7; i >= 0; --i) count = (count << 8) | static_cast<unsigned char>(data[kMagicBytes + kKeyBytes + i]);
  if (count != (data.size() - kHeaderBytes) / 20 || (data.size() - kHeaderBytes) % 20 != 0) {
    return Status::Corruption("count does not match the size");
  }
  std::vector<VerdictCache::Id> ids(count);
  for (uint64_t i = 0; i < count; ++i) std::memcpy(ids[i].data(), data.data() + kHeaderBytes + 20 * i, 20);
  if (!std::is_sorted(ids.begin(), ids.end())) return Status::Corruption("ids out of order");
  return ids;
}

// The file's payload: magic, key, count and sorted, unique ids (WriteCacheFile seals it).
std::string EncodePayload(const std::string& key, std::vector<VerdictCache::Id> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string out(kMagic, kMagicBytes);
  out += KeyBytes(key);
  uint64_t count = ids.size();
  for (int i = 0; i < 8; ++i) out += static_cast<char>((count >> (8 * i)) & 0xff);
  for (const auto& id : ids) out.append(reinterpret_cast<const char*>(id.data()), id.size());
  return out;
}

}  // namespace

std::string VerdictCache::Encode(const std::string& key, std::vector<Id> ids) {
  return SealCacheData(EncodePayload(key, std::move(ids)));
}

VerdictCache VerdictCache::Open(const std::string& dir, const std::string& key) {
  VerdictCache c;
  c.dir_ = dir;
  c.key_ = key;
  c.path_ = dir + "/verdicts-" + key.substr(0, 2 * kKeyBytes) + ".bin";
  auto data = ReadTrustedCacheFile(c.path_, kMaxFileBytes + kHeaderBytes);
  if (!data.ok()) {
    if (data.status().code() == Status::Code::kCorruption) {
      c.warning_ = data.status().message() + "; ignored, every blob is scanned";
    } else if (data.status().code() != Status::Code::kNotFound) {
      c.warning_ = data.status().message();
    }
    return c;
  }
  auto ids = Decode(*data, key);
  if (!ids.ok()) {
    c.warning_ = c.path_ + ": " + ids.status().message() + "; ignored, every blob is scanned";
    return c;
  }
  c.known_ = std::move(*ids);
  return c;
}

bool VerdictCache::IsClean(const unsigned char* id) const {
  Id want;
  std::memcpy(want.data(), id, want.size());
  return std::binary_search(known_.begin(), known_.end(), want);
}

void VerdictCache::AddClean(const unsigned char* id) {
  Id v;
  std::memcpy(v.data(), id, v.size());
  added_.push_back(v);
}

Status VerdictCache::Save() {
  if (added_.empty()) return Status::Ok();
  PG_RETURN_IF_ERROR(EnsureCacheDir(dir_));
  // Merge with what another run may have written meanwhile (read with the same safety rules).
  std::vector<Id> ids = added_;
  auto current = Open(dir_, key_);
  if (current.warning_.empty()) ids.insert(ids.end(), current.known_.begin(), current.known_.end());
  if (ids.size() * 20 > kMaxFileBytes) ids = added_;
  PG_RETURN_IF_ERROR(WriteCacheFile(path_, EncodePayload(key_, std::move(ids))));
  added_.clear();
  return Status::Ok();
}

}  // namespace pushgate::scanner
