#include "scanner/database_cache.h"

#include <sodium.h>

#include <cstdlib>

#include "scanner/cache_file.h"

namespace pushgate::scanner {

namespace {

constexpr size_t kMaxCacheFileBytes = 512ull << 20;

// Frees memory that Hyperscan allocated with its default allocator (malloc).
struct HsBytesFree {
  void operator()(char* p) const { free(p); }
};

void HashField(crypto_generichash_state* st, const std::string& field) {
  // Length-prefixed, so ("ab","c") and ("a","bc") hash differently.
  uint64_t n = field.size();
  crypto_generichash_update(st, reinterpret_cast<const unsigned char*>(&n), sizeof n);
  crypto_generichash_update(st, reinterpret_cast<const unsigned char*>(field.data()), field.size());
}

}  // namespace

Result<HsDatabase> CompileDatabase(const std::vector<HsExpression>& expressions) {
  if (expressions.empty()) return Status::InvalidArgument("no patterns to compile");
  std::vector<const char*> patterns;
  std::vector<unsigned> flags, ids;
  for (const auto& e : expressions) {
    patterns.push_back(e.pattern.c_str());
    flags.push_back(e.flags);
    ids.push_back(e.id);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* raw_error = nullptr;
  hs_error_t rc = hs_compile_multi(patterns.data(), flags.data(), ids.data(), static_cast<unsigned>(patterns.size()),
                                   HS_MODE_BLOCK, nullptr, &db, &raw_error);
  HsCompileError error(raw_error);
  if (rc != HS_SUCCESS) {
    std::string msg = error && error->message ? error->message : "unknown error";
    if (error && error->expression >= 0 && static_cast<size_t>(error->expression) < expressions.size()) {
      return Status::InvalidArgument(expressions[error->expression].label + ": pattern: Hyperscan rejects it: " + msg);
    }
    return Status::InvalidArgument("Hyperscan cannot compile the rules: " + msg);
  }
  return HsDatabase(db);
}

std::string DatabaseCacheKey(const std::vector<HsExpression>& expressions) {
  if (sodium_init() < 0) return "";
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  HashField(&st, "pushgate-hsdb-2");  // 2: sealed files (cache_file.h)
  HashField(&st, hs_version());
  hs_platform_info_t platform{};
  if (hs_populate_platform(&platform) == HS_SUCCESS) {
    HashField(&st, std::to_string(platform.tune) + "/" + std::to_string(platform.cpu_features));
  }
  for (const auto& e : expressions) {
    HashField(&st, e.pattern);
    HashField(&st, std::to_string(e.flags) + "/" + std::to_string(e.id));
  }
  unsigned char out[32];
  crypto_generichash_final(&st, out, sizeof out);
  return HexBytes(out, sizeof out);
}

Result<LoadedDatabase> LoadOrCompileDatabase(const std::vector<HsExpression>& expressions,
                                             const std::string& cache_dir) {
  LoadedDatabase loaded;
  if (!cache_dir.empty()) {
    const std::string key = DatabaseCacheKey(expressions);
    if (!key.empty()) loaded.cache_path = cache_dir + "/" + key + ".hsdb";
  }
  if (!loaded.cache_path.empty()) {
    auto bytes = ReadTrustedCacheFile(loaded.cache_path, kMaxCacheFileBytes);
    if (bytes.ok()) {
      hs_database_t* db = nullptr;
      // Hyperscan checks the header, platform and CRC of the bytecode before accepting it.
      if (hs_deserialize_database(bytes->data(), bytes->size(), &db) == HS_SUCCESS) {
        loaded.db.reset(db);
        loaded.from_cache = true;
        return loaded;
      }
      loaded.cache_warning = loaded.cache_path + ": corrupt cached database; recompiling";
    } else if (bytes.status().code() == Status::Code::kCorruption) {
      loaded.cache_warning = bytes.status().message() + "; recompiling";
    } else if (bytes.status().code() != Status::Code::kNotFound) {
      loaded.cache_warning = bytes.status().message();
    }
  }

  auto db = CompileDatabase(expressions);
  if (!db.ok()) return db.status();
  loaded.db = std::move(*db);
  if (loaded.cache_path.empty()) return loaded;

  Status dir = EnsureCacheDir(cache_dir);
  if (!dir.ok()) {
    loaded.cache_warning = dir.message();
    return loaded;
  }
  char* raw = nullptr;
  size_t size = 0;
  if (hs_serialize_database(loaded.db.get(), &raw, &size) != HS_SUCCESS) {
    loaded.cache_warning = "cannot serialize the compiled database";
    return loaded;
  }
  std::unique_ptr<char, HsBytesFree> bytes(raw);
  Status written = WriteCacheFile(loaded.cache_path, std::string(bytes.get(), size));
  if (!written.ok()) loaded.cache_warning = written.message();
  return loaded;
}

std::string DefaultCacheDir() {
  auto env = [](const char* name) -> std::string {
    const char* v = getenv(name);
    return v && *v ? v : "";
  };
  if (std::string dir = env("PUSHGATE_CACHE_DIR"); !dir.empty()) return dir;
  if (std::string dir = env("XDG_CACHE_HOME"); !dir.empty()) return dir + "/pushgate";
  if (std::string dir = env("HOME"); !dir.empty()) return dir + "/.cache/pushgate";
  return "";
}

}  // namespace pushgate::scanner
