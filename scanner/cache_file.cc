#include "scanner/cache_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/unique_fd.h"

namespace pushgate::scanner {

std::string HexBytes(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

std::string SealCacheData(std::string_view payload) {
  [[maybe_unused]] const int ready = sodium_init();  // idempotent; picks the fastest BLAKE2b code
  std::string out;
  out.reserve(payload.size() + kCacheSealBytes);
  out.append(payload);
  unsigned char digest[kCacheSealBytes];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                     nullptr, 0);
  out.append(reinterpret_cast<const char*>(digest), sizeof digest);
  return out;
}

Result<std::string_view> UnsealCacheData(std::string_view sealed) {
  [[maybe_unused]] const int ready = sodium_init();
  if (sealed.size() < kCacheSealBytes) return Status::Corruption("damaged cache file: shorter than its digest");
  std::string_view payload = sealed.substr(0, sealed.size() - kCacheSealBytes);
  unsigned char digest[kCacheSealBytes];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                     nullptr, 0);
  if (sodium_memcmp(digest, sealed.data() + payload.size(), kCacheSealBytes) != 0) {
    return Status::Corruption("damaged cache file: digest mismatch");
  }
  return payload;
}

Result<std::string> ReadTrustedCacheFile(const std::string& path, size_t max_bytes) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
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
  if (static_cast<uint64_t>(st.st_size) > static_cast<uint64_t>(max_bytes) + kCacheSealBytes) return Status::InvalidArgument(path + ": too large for a cache file");
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = read(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError(path + ": short read");
    done += static_cast<size_t>(n);
  }
  auto payload = UnsealCacheData(data);
  if (!payload.ok()) return Status::Corruption(path + ": " + payload.status().message());
  data.resize(payload->size());  // the payload is the file's prefix
  return data;
}

Status WriteCacheFile(const std::string& path, std::string_view payload) {
  const std::string data = SealCacheData(payload);
  std::string tmp = path + ".XXXXXX";
  int raw = mkstemp(tmp.data());
  if (raw < 0) return Status::IOError(path + ": " + strerror(errno));
  UniqueFd fd(raw);
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

Status EnsureCacheDir(const std::string& dir) {
  std::error_code ec;
  const bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir + ": " + ec.message());
  // A directory created here is private; an existing one is the caller's choice and stays as is
  // (the per-file ownership and mode checks are what protect the cache).
  if (created) chmod(dir.c_str(), 0700);
  return Status::Ok();
}

}  // namespace pushgate::scanner
