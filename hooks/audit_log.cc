#include "hooks/audit_log.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <set>
#include <vector>

#include "base/locked_file.h"

namespace pushgate {
namespace {

// Longest line the log reads back; a decision with this many bytes of findings is not plausible.
constexpr size_t kMaxLineBytes = 64u << 20;

const std::set<std::string>& DecisionKinds() {
  static const std::set<std::string> kinds = {"accepted", "rejected", "overridden", "override-refused", "error", "landed"};
  return kinds;
}

std::string Hex(const unsigned char* bytes, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

bool IsHex64(const nlohmann::ordered_json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The one serialisation the log uses: compact, ASCII-only (so that parse + dump gives back the
// same bytes), invalid UTF-8 replaced rather than thrown.
std::string Canonical(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', true, nlohmann::ordered_json::error_handler_t::replace);
}

std::string Rfc3339Utc(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Status WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Reads the last line of the locked file (without its newline); empty when the file is empty.
// Corruption when the file does not end with a newline or the last line is too long. Reads
// backwards in chunks, so a long log costs only its last line.
Result<std::string> ReadLastLine(int fd, off_t size, const std::string& path) {
  std::vector<std::string> pieces;  // the last line's pieces, from its end backwards
  size_t total = 0;
  off_t end = size;
  constexpr off_t kChunk = 64 * 1024;
  while (end > 0) {
    off_t start = end > kChunk ? end - kChunk : 0;
    std::string chunk(static_cast<size_t>(end - start), '\0');
    size_t got = 0;
    while (got < chunk.size()) {
      ssize_t n = pread(fd, chunk.data() + got, chunk.size() - got, start + static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::IOError(path + ": cannot read: " + (n < 0 ? strerror(errno) : "short read"));
      got += static_cast<size_t>(n);
    }
    if (end == size) {
      if (chunk.back() != '\n') {
        return Status::Corruption(path + ": the last line is incomplete (no newline at the end)");
      }
      chunk.pop_back();
    }
    end = start;
    size_t nl = chunk.rfind('\n');
    pieces.push_back(nl == std::string::npos ? chunk : chunk.substr(nl + 1));
    total += pieces.back().size();
    if (total > kMaxLineBytes) return Status::Corruption(path + ": the last line is longer than 64 MiB");
    if (nl != std::string::npos) break;
  }
  std::string line;
  line.reserve(total);
  for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) line += *it;
  return line;
}

std::string Clean(const std::string& s, size_t max) {
  std::string out;
  for (unsigned char c : s.substr(0, max)) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  if (s.size() > max) out += "...";
  return out;
}

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "-";
  if (it->is_string()) return it->get<std::string>();
  return Canonical(nlohmann::ordered_json(*it));
}

}  // namespace

std::string AuditLineHash(const nlohmann::ordered_json& line) {
  nlohmann::ordered_json copy = line;
  copy.erase("hash");
  std::string text = Canonical(copy);
  std::array<unsigned char, crypto_generichash_BYTES> h{};
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                     nullptr, 0);
  return Hex(h.data(), h.size());
}

std::string AuditSyslogSummary(const nlohmann::json& line) {
  std::string refs;
  if (auto it = line.find("refs"); it != line.end() && it->is_array()) {
    for (const auto& r : *it) {
      if (!refs.empty()) refs += ",";
      refs += r.is_object() && r.contains("ref") && r["ref"].is_string() ? r["ref"].get<std::string>() : "?";
    }
  }
  auto count = [&](const char* key) -> size_t {
    auto it = line.find(key);
    return it != line.end() && it->is_array() ? it->size() : 0;
  };
  std::string out = "audit seq=" + StringField(line, "seq") + " decision=" + StringField(line, "decision") +
                    " repository=" + StringField(line, "repository") + " pusher=" + StringField(line, "pusher") +
                    " refs=" + (refs.empty() ? "-" : refs) + " findings=" + std::to_string(count("findings")) +
                    " overrides=" + std::to_string(count("overrides")) + " hash=" + StringField(line, "hash");
  return Clean(out, 900);
}

Result<AuditAppendResult> AppendAuditRecord(const std::string& path, const nlohmann::json& decision,
                                            const AuditAppendOptions& options) {
  if (!decision.is_object()) return Status::InvalidArgument("audit record: the decision must be a JSON object");
  auto kind = decision.find("decision");
  if (kind == decision.end() || !kind->is_string() || !DecisionKinds().count(kind->get<std::string>())) {
    return Status::InvalidArgument(
        "audit record: \"decision\" must be one of accepted, rejected, overridden, override-refused, error, landed");
  }
  for (const char* reserved : {"v", "seq", "time", "prev", "hash"}) {
    if (decision.contains(reserved)) {
      return Status::InvalidArgument(std::string("audit record: \"") + reserved + "\" is written by the log itself");
    }
  }
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");

  auto file = LockedFile::Open(path, O_RDWR | O_APPEND | O_CREAT, 0640, FileLock::kExclusive);
  if (!file.ok()) return file.status();
  struct stat st;
  if (fstat(file->fd(), &st) != 0) return Status::IOError(path + ": " + strerror(errno));

  auto last = ReadLastLine(file->fd(), st.st_size, path);
  if (!last.ok()) return last.status().Prefixed("audit log not appended");
  uint64_t seq = 1;
  std::string prev = kAuditGenesisHash;
  if (st.st_size > 0) {
    nlohmann::ordered_json tail = nlohmann::ordered_json::parse(*last, nullptr, /*allow_exceptions=*/false);
    if (!tail.is_object() || !tail.contains("seq") || !tail["seq"].is_number_unsigned() || !IsHex64(tail["hash"])) {
      return Status::Corruption(path + ": the last line is damaged; audit log not appended (run pushgate audit verify)");
    }
    seq = tail["seq"].get<uint64_t>() + 1;
    prev = tail["hash"].get<std::string>();
  }

  nlohmann::ordered_json line;
  line["v"] = kAuditLogVersion;
  line["seq"] = seq;
  line["time"] = Rfc3339Utc(options.time.value_or(std::chrono::system_clock::now()));
  line["prev"] = prev;
  line["hash"] = "";
  for (const auto& [key, value] : decision.items()) line[key] = nlohmann::ordered_json(value);
  std::string hash = AuditLineHash(line);
  line["hash"] = hash;
  std::string text = Canonical(line);

  // The verifier must accept what is written: check the round trip before writing.
  nlohmann::ordered_json reread = nlohmann::ordered_json::parse(text, nullptr, false);
  if (reread.is_discarded() || Canonical(reread) != text || AuditLineHash(reread) != hash) {
    return Status::Internal("audit record does not serialise canonically");
  }

  Status written = WriteAll(file->fd(), text + "\n");
  if (!written.ok()) {
    // Take the partial line back out so the chain stays intact for the next writer.
    if (ftruncate(file->fd(), st.st_size) != 0) { /* the verifier will report the damaged line */ }
    return written.Prefixed(path + ": cannot append audit record");
  }
  if (fsync(file->fd()) != 0) return Status::IOError(path + ": fsync failed: " + strerror(errno));

  if (options.syslog) {
    std::string summary = AuditSyslogSummary(nlohmann::json::parse(text));
    openlog("pushgate", LOG_PID, LOG_AUTH);
    syslog(LOG_AUTH | LOG_NOTICE, "%s", summary.c_str());
    closelog();
  }
  return AuditAppendResult{seq, hash, text};
}

Status VerifyAuditLog(const std::string& path, std::string* report) {
  auto fail = [&](uint64_t line_no, const std::string& what) {
    std::string msg = path + ":" + std::to_string(line_no) + ": " + what;
    if (report) *report = msg;
    return Status::Corruption(msg);
  };
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::FILE* raw = std::fopen(path.c_str(), "rb");
  if (!raw) {
    Status s = errno == ENOENT ? Status::NotFound(path + ": no such file") : Status::IOError(path + ": " + strerror(errno));
    if (report) *report = s.message();
    return s;
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(raw, &std::fclose);

  uint64_t line_no = 0;
  uint64_t expected_seq = 1;
  std::string prev = kAuditGenesisHash;
  std::string buf;
  std::array<char, 64 * 1024> chunk{};
  bool eof = false;
  size_t start = 0;  // start of the unread part of buf
  while (true) {
    size_t nl = buf.find('\n', start);
    if (nl == std::string::npos) {
      if (eof) {
        if (start < buf.size()) return fail(line_no + 1, "incomplete line (truncated: no newline at the end)");
        break;
      }
      if (buf.size() - start > kMaxLineBytes) return fail(line_no + 1, "line longer than 64 MiB");
      buf.erase(0, start);
      start = 0;
      size_t n = std::fread(chunk.data(), 1, chunk.size(), in.get());
      if (n == 0) {
        if (std::ferror(in.get())) return Status::IOError(path + ": read error");
        eof = true;
      }
      buf.append(chunk.data(), n);
      continue;
    }
    std::string text = buf.substr(start, nl - start);
    start = nl + 1;
    ++line_no;

    nlohmann::ordered_json line = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (line.is_discarded() || !line.is_object()) return fail(line_no, "not a JSON object");
    if (!line.contains("v") || line["v"] != kAuditLogVersion) return fail(line_no, "unknown or missing version \"v\"");
    if (!line.contains("seq") || !line["seq"].is_number_unsigned()) return fail(line_no, "missing or invalid \"seq\"");
    if (!line.contains("prev") || !IsHex64(line["prev"])) return fail(line_no, "missing or invalid \"prev\"");
    if (!line.contains("hash") || !IsHex64(line["hash"])) return fail(line_no, "missing or invalid \"hash\"");
    if (!line.contains("time") || !line["time"].is_string()) return fail(line_no, "missing or invalid \"time\"");
    if (!line.contains("decision") || !line["decision"].is_string()) return fail(line_no, "missing \"decision\"");
    if (Canonical(line) != text) return fail(line_no, "line is not in canonical form (edited)");
    if (AuditLineHash(line) != line["hash"].get<std::string>()) {
      return fail(line_no, "content does not match its hash (edited)");
    }
    uint64_t seq = line["seq"].get<uint64_t>();
    if (seq != expected_seq) {
      return fail(line_no, "seq is " + std::to_string(seq) + ", expected " + std::to_string(expected_seq) +
                               " (a line was deleted, inserted or reordered)");
    }
    if (line["prev"].get<std::string>() != prev) {
      return fail(line_no, line_no == 1 ? "prev of the first line is not the genesis hash (lines were removed)"
                                        : "prev does not match the hash of line " + std::to_string(line_no - 1) +
                                              " (a line was deleted, inserted or replaced)");
    }
    prev = line["hash"].get<std::string>();
    ++expected_seq;
  }
  if (report) {
    *report = path + ": " + std::to_string(line_no) + " lines verified" +
              (line_no ? ", last seq " + std::to_string(expected_seq - 1) + ", last hash " + prev : "");
  }
  return Status::Ok();
}

}  // namespace pushgate
