#include "scanner/database_cache.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace pushgate::scanner {

namespace {

constexpr off_t kMaxCacheFileBytes = 512ll << 20;

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Frees memory that Hyperscan allocated with its default allocator (malloc).
struct HsBytesFree {
  void operator()(char* p) const { free(p); }
};

std::string Hex(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

void HashField(crypto_generichash_state* st, const std::string& field) {
  // Length-prefixed, so ("ab","c") and ("a","bc") hash differently.
  uint64_t n = field.size();
  crypto_generichash_update(st, reinterpret_cast<const unsigned char*>(&n), sizeof n);
  crypto_generichash_update(st, reinterpret_cast<const unsigned char*>(field.data()), field.size());
}

// Reads a cache file, refusing anything another user could have written.
Result<std::string> ReadTrustedFile(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no cached database");
    return Status::IOError(path + ": " + strerror(errno));
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Status::IOError(path + ": " + strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + ": not a regular file");
  if (st.st_uid != geteuid()) return Status::InvalidArgument(path + ": not owned by the current user; ignored");
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return Status::InvalidArgument(path + ": writable by group or others; ignored");
  }
  if (st.st_size > kMaxCacheFileBytes) return Status::InvalidArgument(path + ": too large for a cached database");
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = read(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError(path + ": short read");
    done += static_cast<size_t>(n);
  }
  return data;
}

// Writes data to path atomically through a fresh mkstemp() file in the same directory, so a
// pre-planted file or symlink in a shared directory cannot redirect the write.
Status WriteCacheFile(const std::string& path, const std::string& data) {
  std::string tmp = path + ".XXXXXX";
  int raw = mkstemp(tmp.data());
  if (raw < 0) return Status::IOError(path + ": " + strerror(errno));
  Fd fd(raw);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      unlink(tmp.c_str());
      return Status::IOError(tmp + ": write failed");
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd.get(), 0600) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = strerror(errno);
    unlink(tmp.c_str());
    return Status::IOError(path + ": " + err);
  }
  return Status::Ok();
}

Status EnsurePrivateDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir + ": " + ec.message());
  // Only tighten a directory we just created or own; a shared directory stays as it is.
  struct stat st;
  if (stat(dir.c_str(), &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 077)) chmod(dir.c_str(), 0700);
  return Status::Ok();
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
  HashField(&st, "pushgate-hsdb-1");
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
  return Hex(out, sizeof out);
}

Result<LoadedDatabase> LoadOrCompileDatabase(const std::vector<HsExpression>& expressions,
                                             const std::string& cache_dir) {
  LoadedDatabase loaded;
  if (!cache_dir.empty()) {
    const std::string key = DatabaseCacheKey(expressions);
    if (!key.empty()) loaded.cache_path = cache_dir + "/" + key + ".hsdb";
  }
  if (!loaded.cache_path.empty()) {
    auto bytes = ReadTrustedFile(loaded.cache_path);
    if (bytes.ok()) {
      hs_database_t* db = nullptr;
      // Hyperscan checks the header, platform and CRC of the bytecode before accepting it.
      if (hs_deserialize_database(bytes->data(), bytes->size(), &db) == HS_SUCCESS) {
        loaded.db.reset(db);
        loaded.from_cache = true;
        return loaded;
      }
      loaded.cache_warning = loaded.cache_path + ": corrupt cached database; recompiling";
    } else if (bytes.status().code() != Status::Code::kNotFound) {
      loaded.cache_warning = bytes.status().message();
    }
  }

  auto db = CompileDatabase(expressions);
  if (!db.ok()) return db.status();
  loaded.db = std::move(*db);
  if (loaded.cache_path.empty()) return loaded;

  Status dir = EnsurePrivateDir(cache_dir);
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
