// The audit log: one JSON line per gate decision (accepted, rejected, overridden,
// override-refused, error), chained by hashes so that `pushgate audit verify` detects edited,
// deleted, inserted, reordered and truncated lines.
//
// Line format (keys in this order, then the decision's own keys in sorted order):
//   {"v":1,"seq":N,"time":"2024-05-01T12:00:00Z","prev":"<64 hex>","hash":"<64 hex>",
//    "decision":"rejected","repository":"...","pusher":"...","refs":[...],"findings":[...],...}
// - seq counts lines from 1; the first line's prev is 64 zeros, every later prev is the previous
//   line's hash.
// - hash is the hex BLAKE2b-256 of the line's compact, ASCII-only JSON serialisation with the
//   "hash" member removed. A line must be exactly that serialisation (plus "hash"), so any edit,
//   even one that keeps the JSON meaning (duplicate keys, spacing), is detected.
// - The chain alone cannot reveal lines cut from the end of the file, or a wholesale rewrite of
//   the tail with recomputed hashes; the optional syslog copy carries each line's seq and hash so
//   that a remote syslog is an outside witness of both.
//
// Appends are safe across processes: each append takes an exclusive flock() on the log file
// itself, reads the last line for seq and prev, writes the new line with one write(), fsyncs and
// unlocks. A failed write is truncated away so the file never keeps half a line.
//
// Thread-safety: the functions share no state and may be called from several threads or
// processes at once (the file lock serialises appends). The syslog copy uses the process-wide
// openlog()/closelog() state.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace pushgate {

// Format version written in every line's "v".
inline constexpr int kAuditLogVersion = 1;

// prev of the first line: 64 zeros.
inline constexpr const char* kAuditGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

struct AuditAppendOptions {
  bool syslog = false;  // also send a one-line summary to syslog (LOG_AUTH | LOG_NOTICE)
  // The time recorded in the line; the current time when unset.
  std::optional<std::chrono::system_clock::time_point> time;
};

// What an append wrote.
struct AuditAppendResult {
  uint64_t seq = 0;
  std::string hash;  // this line's hash, the next line's prev
  std::string line;  // the line as written, without its newline
};

// Appends one decision to the log at path, creating the file (mode 0640) when missing.
// `decision` must be a JSON object with a string member "decision" among accepted, rejected,
// overridden, override-refused and error; it must not contain v, seq, time, prev or hash, which
// the log adds. Typical members: repository, pusher, refs [{ref, old, new, kind}], findings
// [{rule, ref, commit, path, line, message, redacted}], overrides [{token_id, approvers, reason,
// rules}], duration_ms. Strings that are not valid UTF-8 are stored with U+FFFD replacements.
// Refuses (Corruption) to append after a last line that is damaged, so a broken chain is never
// hidden under new lines.
Result<AuditAppendResult> AppendAuditRecord(const std::string& path, const nlohmann::json& decision,
                                            const AuditAppendOptions& options = {});

// Checks every line of the log at path: JSON, canonical form, hash, seq continuity and prev
// chain. On success returns OK and sets *report (when non-null) to a summary with the number of
// lines and the last seq and hash. On the first broken line returns Corruption naming the file,
// the line number and what is wrong, and *report holds the same text. A missing file is NotFound;
// an empty file is a valid empty log.
Status VerifyAuditLog(const std::string& path, std::string* report);

// The short one-line summary sent to syslog for a written line: seq, decision, repository,
// pusher, refs, number of findings and overrides, and the hash. Control characters are replaced.
std::string AuditSyslogSummary(const nlohmann::json& line);

// The hex BLAKE2b-256 chain hash of a line object: computed over its canonical serialisation
// without the "hash" member.
std::string AuditLineHash(const nlohmann::ordered_json& line);

}  // namespace pushgate
