#include "signatures/breakglass_ledger.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <algorithm>
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

// One ledger line: the id, and the binding when it is a reservation ("" when spent).
struct LedgerLine {
  std::string id;
  std::string binding;
};

std::vector<LedgerLine> ParseLedger(const std::string& ledger) {
  std::vector<LedgerLine> out;
  size_t pos = 0;
  while (pos < ledger.size()) {
    size_t end = ledger.find('\n', pos);
    if (end == std::string::npos) end = ledger.size();
    std::string line = ledger.substr(pos, end - pos);
    pos = end + 1;
    std::vector<std::string> fields;
    size_t f = 0;
    while (f < line.size()) {
      size_t sp = line.find(' ', f);
      if (sp == std::string::npos) sp = line.size();
      if (sp > f) fields.push_back(line.substr(f, sp - f));
      f = sp + 1;
    }
    if (fields.empty()) continue;
    LedgerLine l{fields[0], ""};
    // Anything but a well-formed reservation counts as spent: a damaged line never frees a token.
    if (fields.size() == 4 && fields[2] == "reserved") l.binding = fields[3];
    out.push_back(std::move(l));
  }
  return out;
}

// True when the ledger records the id as spent.
bool Contains(const std::string& ledger, const std::string& id) {
  for (const auto& l : ParseLedger(ledger)) {
    if (l.id == id && l.binding.empty()) return true;
  }
  return false;
}

// Appends lines to the locked ledger whose content was `data`; on failure the ledger is cut back.
Status AppendLines(const LockedFile& ledger, const std::string& path, const std::string& data, std::string lines) {
  // A line left without its newline (a crash mid-write) must not swallow these.
  if (!data.empty() && data.back() != '\n') lines.insert(0, "\n");
  size_t done = 0;
  while (done < lines.size()) {
    ssize_t n = write(ledger.fd(), lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = strerror(errno);
      if (ftruncate(ledger.fd(), static_cast<off_t>(data.size())) != 0) { /* the lines stay unrecorded */ }
      return Status::IOError("used-token ledger " + path + ": cannot record token: " + err);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(ledger.fd()) != 0) return Status::IOError("used-token ledger " + path + ": fsync failed");
  return Status::Ok();
}

std::string NowRfc3339() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Records `id` as spent (binding empty) or reserved for the push `binding`, unless it is spent.
Status RecordToken(const std::string& ledger_path, const std::string& id, const std::string& binding) {
  if (!ValidId(id)) return Status::InvalidArgument("break-glass token id must be 32 lowercase hex characters");
  auto ledger = OpenLedger(ledger_path, /*write=*/true);
  if (!ledger.ok()) return ledger.status();
  auto data = ReadLedger(*ledger, ledger_path);
  if (!data.ok()) return data.status();
  if (Contains(*data, id)) return Status::InvalidArgument("break-glass token " + id + " was already used");
  return AppendLines(*ledger, ledger_path, *data,
                     id + " " + NowRfc3339() + (binding.empty() ? "" : " reserved " + binding) + "\n");
}

}  // namespace

Status ClaimToken(const std::string& ledger_path, const std::string& id) { return RecordToken(ledger_path, id, ""); }

std::string TokenBinding(const std::string& repository, const std::string& ref, const std::string& old_oid,
                         const std::string& new_oid) {
  const std::string text = repository + '\n' + ref + '\n' + old_oid + '\n' + new_oid;
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) out += {hex[b >> 4], hex[b & 15]};
  return out;
}

Status ReserveToken(const std::string& ledger_path, const std::string& id, const std::string& binding) {
  return RecordToken(ledger_path, id, binding);
}

Result<std::vector<std::string>> SpendReservedTokens(const std::string& ledger_path, const std::string& binding) {
  std::vector<std::string> spent;
  if (access(ledger_path.c_str(), F_OK) != 0 && errno == ENOENT) return spent;
  auto ledger = OpenLedger(ledger_path, /*write=*/true);
  if (!ledger.ok()) return ledger.status();
  auto data = ReadLedger(*ledger, ledger_path);
  if (!data.ok()) return data.status();
  auto lines = ParseLedger(*data);
  std::string append;
  for (const auto& l : lines) {
    if (l.binding != binding || Contains(*data, l.id)) continue;
    if (std::find(spent.begin(), spent.end(), l.id) != spent.end()) continue;
    spent.push_back(l.id);
    append += l.id + " " + NowRfc3339() + "\n";
  }
  if (append.empty()) return spent;
  PG_RETURN_IF_ERROR(AppendLines(*ledger, ledger_path, *data, append));
  return spent;
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
