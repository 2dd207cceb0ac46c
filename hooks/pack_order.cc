#include "hooks/pack_order.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <vector>

#include "base/files.h"

namespace pushgate {

namespace {

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

Status ReadPackIndex(const std::string& data, void (*fn)(void*, const git_oid&, uint64_t), void* ctx) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const size_t size = data.size();
  if (size < 8 + 256 * 4 || std::memcmp(p, "\377tOc", 4) != 0 || Be32(p + 4) != 2) {
    return Status::Corruption("not a version 2 pack index");
  }
  const unsigned char* fanout = p + 8;
  const uint64_t n = Be32(fanout + 255 * 4);
  const uint64_t oids = 8 + 256 * 4, crcs = oids + n * 20, offs = crcs + n * 4, large = offs + n * 4;
  if (large + 40 > size) return Status::Corruption("pack index is truncated");
  const uint64_t large_count = (size - 40 - large) / 8;
  for (uint64_t i = 0; i < n; ++i) {
    git_oid id;
    std::memcpy(id.id, p + oids + i * 20, 20);
    uint64_t off = Be32(p + offs + i * 4);
    if (off & 0x80000000u) {
      uint64_t idx = off & 0x7fffffffu;
      if (idx >= large_count) return Status::Corruption("pack index large offset out of range");
      const unsigned char* q = p + large + idx * 8;
      off = (uint64_t{Be32(q)} << 32) | Be32(q + 4);
    }
    fn(ctx, id, off);
  }
  return Status::Ok();
}

PackOrder PackOrder::Load(const std::string& git_dir) {
  PackOrder order;
  std::vector<std::string> idx_files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(git_dir + "/objects/pack", ec)) {
    if (e.path().extension() == ".idx") idx_files.push_back(e.path().string());
  }
  std::sort(idx_files.begin(), idx_files.end());
  uint64_t pack_no = 0;
  for (const auto& f : idx_files) {
    auto data = ReadFile(f, 1ull << 32);
    if (!data.ok()) continue;
    struct Ctx {
      PackOrder* order;
      uint64_t base;
    } ctx{&order, (++pack_no) << 40};
    (void)ReadPackIndex(*data, [](void* c, const git_oid& id, uint64_t off) {
      auto* x = static_cast<Ctx*>(c);
      x->order->rank_.emplace(id, x->base | (off & ((1ull << 40) - 1)));
    }, &ctx);
  }
  return order;
}

uint64_t PackOrder::Rank(const git_oid& id) const {
  auto it = rank_.find(id);
  return it == rank_.end() ? UINT64_MAX : it->second;
}

}  // namespace pushgate
