#include "signatures/breakglass_ledger.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <utility>

#include "base/locked_file.h"
#include "base/unique_fd.h"

namespace pushgate {
namespace {

// Largest ledger read back: at 56 bytes a line, about a million used tokens.
constexpr off_t kMaxLedgerBytes = 64 << 20;

// Opens the ledger (read-write and created when `write`, else read-only) and takes an exclusive
// (write) or shared (read) lock.
Result<LockedFile> OpenLedger(const std::string& path, bool write) {
  UniqueFd fd(write ? open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640)
                    : open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::IOError("used-token ledger " + path + ": " + strerror(errno));
  return LockedFile::Lock(std::move(fd), "used-token ledger " + path, write ? FileLock::kExclusive : FileLock::kShared);
}

// Reads the whole ledger; valid only while the lock is held.
Result<std::string> ReadLedger(const LockedFile& ledger, const std::string& path) {
  struct stat st;
  if (fstat(ledger.fd(), &st) != 0) return Status::IOError("used-token ledger " + path + ": " + strerror(errno));
  if (st.st_size > kMaxLedgerBytes) {
    return Status::IOError("used-token ledger " + path + ": larger than 64 MiB; archive old entries");
  }
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = pread(ledger.fd(), data.data() + got, data.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError("used-token ledger " + path + ": read failed");
    got += static_cast<size_t>(n);
  }
  return data;
}

bool ValidId(const std::string& id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// True when some line of the ledger starts with the id followed by a space or its end.
bool Contains(const std::string& ledger, const std::string& id) {
  size_t pos = 0;
  while (pos < ledger.size()) {
    size_t end = ledger.find('\n', pos);
    if (end == std::string::npos) end = ledger.size();
    if (end - pos >= id.size() && ledger.compare(pos, id.size(), id) == 0 &&
        (end - pos == id.size() || ledger[pos + id.size()] == ' ')) {
      return true;
    }
    pos = end + 1;
  }
  return false;
}

std::string NowRfc3339() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Status ClaimToken(const std::string& ledger_path, const std::string& id) {
  if (!ValidId(id)) return Status::InvalidArgument("break-glass token id must be 32 lowercase hex characters");
  auto ledger = OpenLedger(ledger_path, /*write=*/true);
  if (!ledger.ok()) return ledger.status();
  auto data = ReadLedger(*ledger, ledger_path);
  if (!data.ok()) return data.status();
  if (Contains(*data, id)) return Status::InvalidArgument("break-glass token " + id + " was already used");

  // A line left without its newline (a crash mid-write) must not swallow this id.
  std::string line = (!data->empty() && data->back() != '\n' ? "\n" : "") + id + " " + NowRfc3339() + "\n";
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = write(ledger->fd(), line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = strerror(errno);
      if (ftruncate(ledger->fd(), static_cast<off_t>(data->size())) != 0) { /* the id stays unrecorded */ }
      return Status::IOError("used-token ledger " + ledger_path + ": cannot record token: " + err);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(ledger->fd()) != 0) return Status::IOError("used-token ledger " + ledger_path + ": fsync failed");
  return Status::Ok();
}

Result<bool> IsTokenClaimed(const std::string& ledger_path, const std::string& id) {
  if (!ValidId(id)) return Status::InvalidArgument("break-glass token id must be 32 lowercase hex characters");
  auto ledger = OpenLedger(ledger_path, /*write=*/false);
  if (!ledger.ok()) {
    if (access(ledger_path.c_str(), F_OK) != 0 && errno == ENOENT) return false;
    return ledger.status();
  }
  auto data = ReadLedger(*ledger, ledger_path);
  if (!data.ok()) return data.status();
  return Contains(*data, id);
}

}  // namespace pushgate
