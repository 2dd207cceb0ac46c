// The break-glass token format: the text an approver hands to a pusher, who passes it with
// `git push -o breakglass=TOKEN`. This file only encodes and decodes; signing lives in
// breakglass_key.h and the decision in breakglass.h.
//
// Token text (one line, URL-safe, no padding, at most kMaxTokenBytes):
//   pgbg1.<base64url(payload)>.<base64url(sshsig 1)>[.<base64url(sshsig 2)>...]
// - payload: a compact JSON object with exactly these members (written with sorted keys):
//     v      1
//     id     32 lowercase hex characters (128 random bits); the single-use ledger key
//     repo   the repository identity as the gate reports it (e.g. "acme/infra")
//     ref    the full ref name, e.g. "refs/heads/main"
//     old    old object id (40 or 64 lowercase hex; all zeros when the ref is created)
//     new    new object id (all zeros when the ref is deleted)
//     rules  the rule ids waived, e.g. ["secret/aws-access-key-id", "signed-commit"]: at least
//            one, no duplicates, no wildcards ("*" is refused: every waived rule is named)
//     reason free text (1 to 1000 bytes)
//     iat    issue time, Unix seconds
//     exp    expiry time, Unix seconds, after iat
// - each sshsig is a binary SSHSIG blob (OpenSSH PROTOCOL.sshsig, namespace
//   "pushgate-breakglass", hash sha512) over the exact payload bytes carried in the token; the
//   payload is never re-serialised before verification.
// - Several tokens carrying the same payload (one per approver) may be merged into one.
//
// Thread-safety: plain values and functions without shared state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace pushgate {

// Token prefix and signature namespace of format version 1.
inline constexpr const char* kBreakglassTokenPrefix = "pgbg1";
inline constexpr const char* kBreakglassNamespace = "pushgate-breakglass";
// Longest token accepted: room for a handful of RSA signatures, well under what a push option
// can carry.
inline constexpr size_t kMaxTokenBytes = 16 * 1024;
// Most signatures one token may carry.
inline constexpr size_t kMaxTokenSignatures = 16;

// What a token authorises.
struct BreakglassPayload {
  int v = 1;
  std::string id;
  std::string repo;
  std::string ref;
  std::string old_oid;
  std::string new_oid;
  std::vector<std::string> rules;
  std::string reason;
  int64_t iat = 0;
  int64_t exp = 0;
};

// A decoded token: the payload bytes exactly as carried, their parsed form, and the raw SSHSIG
// blobs in the order they appear.
struct BreakglassToken {
  std::string payload_bytes;
  BreakglassPayload payload;
  std::vector<std::string> signatures;
};

// Builds a payload for one ref update with a fresh random id, iat = now and exp = now +
// ttl_seconds. Object ids are lower-cased. Refuses empty or malformed fields, wildcard rules and
// a non-positive ttl.
Result<BreakglassPayload> NewBreakglassPayload(const std::string& repo, const std::string& ref,
                                               const std::string& old_oid, const std::string& new_oid,
                                               const std::vector<std::string>& rules, const std::string& reason,
                                               int64_t ttl_seconds, int64_t now);

// Checks every field of a payload (types, lengths, object id syntax, rule ids, exp > iat).
Status ValidateBreakglassPayload(const BreakglassPayload& payload);

// The payload's canonical bytes: compact JSON, keys sorted, ASCII only.
std::string SerializeBreakglassPayload(const BreakglassPayload& payload);

// Parses and validates payload bytes. Unknown members, a missing member, a wrong type or an
// unknown version are errors.
Result<BreakglassPayload> ParseBreakglassPayload(const std::string& bytes);

// Decodes a token; the signatures are not checked here. Errors name what is wrong (empty, too
// long, wrong prefix, bad base64url, bad payload, no signature, too many signatures).
Result<BreakglassToken> ParseBreakglassToken(const std::string& text);

// Encodes a token in the text form above.
std::string EncodeBreakglassToken(const BreakglassToken& token);

// Merges tokens that carry identical payload bytes into one token with the signatures of all
// (each distinct signature once), keeping first-seen order; tokens with different payloads stay
// separate. Used when approvers sign separately and the pusher passes several -o options.
Result<std::vector<BreakglassToken>> MergeBreakglassTokens(const std::vector<std::string>& texts);

// Unpadded URL-safe base64 (RFC 4648 §5), and its strict inverse (no padding, no whitespace, no
// non-zero trailing bits).
std::string Base64UrlEncode(const std::string& bytes);
Result<std::string> Base64UrlDecode(const std::string& text);

}  // namespace pushgate
