#include "signatures/breakglass_token.h"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "signatures/base64.h"
#include "signatures/sodium_init.h"

namespace pushgate {
namespace {

constexpr size_t kMaxRules = 100;
constexpr size_t kMaxRuleBytes = 200;
constexpr size_t kMaxReasonBytes = 1000;
constexpr size_t kMaxRepoBytes = 512;
constexpr size_t kMaxRefBytes = 1024;

bool IsLowerHex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool HasControl(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool IsRuleChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._/:@+-").find(c) != std::string_view::npos;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

}  // namespace

std::string Base64UrlEncode(const std::string& bytes) {
  return signatures::Base64Encode(bytes, signatures::Base64Variant::kUrlUnpadded);
}

Result<std::string> Base64UrlDecode(const std::string& text) {
  auto bytes = signatures::Base64Decode(text, nullptr, signatures::Base64Variant::kUrlUnpadded);
  if (!bytes.ok()) return Status::InvalidArgument("not valid unpadded base64url");
  return bytes;
}

Status ValidateBreakglassPayload(const BreakglassPayload& p) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument("break-glass payload: " + what); };
  if (p.v != 1) return bad("unsupported version " + std::to_string(p.v));
  if (p.id.size() != 32 || !IsLowerHex(p.id)) return bad("id must be 32 lowercase hex characters");
  if (p.repo.empty() || p.repo.size() > kMaxRepoBytes || HasControl(p.repo)) {
    return bad("repo must be 1 to 512 printable bytes");
  }
  if (p.ref.rfind("refs/", 0) != 0 || p.ref.size() <= 5 || p.ref.size() > kMaxRefBytes || HasControl(p.ref) ||
      p.ref.find(' ') != std::string::npos) {
    return bad("ref must be a full ref name such as refs/heads/main");
  }
  for (const auto* oid : {&p.old_oid, &p.new_oid}) {
    if ((oid->size() != 40 && oid->size() != 64) || !IsLowerHex(*oid)) {
      return bad("\"" + *oid + "\" is not a 40 or 64 hex digit object id");
    }
  }
  if (p.old_oid.size() != p.new_oid.size()) return bad("old and new object ids differ in length");
  if (p.rules.empty()) return bad("names no rule to waive");
  if (p.rules.size() > kMaxRules) return bad("waives more than 100 rules");
  std::set<std::string> seen;
  for (const auto& rule : p.rules) {
    if (rule == "*" || rule.find('*') != std::string::npos || rule.find('?') != std::string::npos) {
      return bad("rule \"" + rule + "\" is a wildcard; name each waived rule id");
    }
    if (rule.empty() || rule.size() > kMaxRuleBytes || !std::all_of(rule.begin(), rule.end(), IsRuleChar)) {
      return bad("\"" + rule + "\" is not a rule id (letters, digits and ._/:@+- only)");
    }
    if (!seen.insert(rule).second) return bad("rule \"" + rule + "\" is listed twice");
  }
  if (p.reason.empty() || p.reason.size() > kMaxReasonBytes || HasControl(p.reason)) {
    return bad("reason must be 1 to 1000 bytes on one line");
  }
  if (p.iat < 0) return bad("iat is negative");
  if (p.exp <= p.iat) return bad("exp must be after iat");
  return Status::Ok();
}

Result<BreakglassPayload> NewBreakglassPayload(const std::string& repo, const std::string& ref,
                                               const std::string& old_oid, const std::string& new_oid,
                                               const std::vector<std::string>& rules, const std::string& reason,
                                               int64_t ttl_seconds, int64_t now) {
  PG_RETURN_IF_ERROR(signatures::EnsureSodium());
  if (ttl_seconds <= 0) return Status::InvalidArgument("break-glass token lifetime must be positive");
  if (now > std::numeric_limits<int64_t>::max() - ttl_seconds) {
    return Status::InvalidArgument("break-glass token lifetime is too long");
  }
  BreakglassPayload p;
  unsigned char id[16];
  randombytes_buf(id, sizeof id);
  char hex[sizeof id * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, id, sizeof id);
  p.id = hex;
  p.repo = repo;
  p.ref = ref;
  p.old_oid = Lower(old_oid);
  p.new_oid = Lower(new_oid);
  p.rules = rules;
  p.reason = reason;
  p.iat = now;
  p.exp = now + ttl_seconds;
  PG_RETURN_IF_ERROR(ValidateBreakglassPayload(p));
  return p;
}

std::string SerializeBreakglassPayload(const BreakglassPayload& p) {
  nlohmann::json j = {{"v", p.v},     {"id", p.id},       {"repo", p.repo},     {"ref", p.ref},
                      {"old", p.old_oid}, {"new", p.new_oid}, {"rules", p.rules}, {"reason", p.reason},
                      {"iat", p.iat}, {"exp", p.exp}};
  return j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

Result<BreakglassPayload> ParseBreakglassPayload(const std::string& bytes) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument("break-glass payload: " + what); };
  nlohmann::json j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  static const std::set<std::string> kKeys = {"v", "id", "repo", "ref", "old", "new", "rules", "reason", "iat", "exp"};
  for (const auto& [key, value] : j.items()) {
    if (!kKeys.count(key)) return bad("unknown member \"" + key + "\"");
  }
  for (const auto& key : kKeys) {
    if (!j.contains(key)) return bad("missing member \"" + key + "\"");
  }
  auto integer = [&](const char* key, int64_t* out) {
    const auto& v = j[key];
    if (!v.is_number_integer()) return false;
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return false;
    }
    *out = v.get<int64_t>();
    return true;
  };
  BreakglassPayload p;
  int64_t version = 0;
  if (!integer("v", &version)) return bad("\"v\" must be an integer");
  if (version != 1) return bad("unsupported version " + std::to_string(version));
  for (const char* key : {"id", "repo", "ref", "old", "new", "reason"}) {
    if (!j[key].is_string()) return bad(std::string("\"") + key + "\" must be a string");
  }
  if (!j["rules"].is_array()) return bad("\"rules\" must be an array of strings");
  for (const auto& r : j["rules"]) {
    if (!r.is_string()) return bad("\"rules\" must be an array of strings");
    p.rules.push_back(r.get<std::string>());
  }
  if (!integer("iat", &p.iat)) return bad("\"iat\" must be an integer");
  if (!integer("exp", &p.exp)) return bad("\"exp\" must be an integer");
  p.v = static_cast<int>(version);
  p.id = j["id"].get<std::string>();
  p.repo = j["repo"].get<std::string>();
  p.ref = j["ref"].get<std::string>();
  p.old_oid = j["old"].get<std::string>();
  p.new_oid = j["new"].get<std::string>();
  p.reason = j["reason"].get<std::string>();
  PG_RETURN_IF_ERROR(ValidateBreakglassPayload(p));
  // One meaning per byte string: a payload with duplicate keys, spacing or escapes that differ
  // from the canonical form could be read differently by another parser.
  if (SerializeBreakglassPayload(p) != bytes) return bad("not in canonical form");
  return p;
}

Result<BreakglassToken> ParseBreakglassToken(const std::string& raw) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument("break-glass token: " + what); };
  if (raw.size() > kMaxTokenBytes + 64) {
    return bad("is " + std::to_string(raw.size()) + " bytes, over the limit of " + std::to_string(kMaxTokenBytes));
  }
  std::string text = Trim(raw);
  if (text.empty()) return bad("is empty");
  if (text.size() > kMaxTokenBytes) {
    return bad("is " + std::to_string(text.size()) + " bytes, over the limit of " + std::to_string(kMaxTokenBytes));
  }
  std::vector<std::string> parts;
  for (size_t pos = 0;;) {
    size_t dot = text.find('.', pos);
    parts.push_back(text.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  if (parts[0] != kBreakglassTokenPrefix) {
    if (parts[0].rfind("pgbg", 0) == 0) return bad("unsupported version \"" + parts[0] + "\" (this pushgate reads pgbg1)");
    return bad("does not start with \"pgbg1.\"");
  }
  if (parts.size() < 2 || parts[1].empty()) return bad("has no payload");
  if (parts.size() < 3) return bad("carries no signature");
  if (parts.size() - 2 > kMaxTokenSignatures) {
    return bad("carries more than " + std::to_string(kMaxTokenSignatures) + " signatures");
  }
  BreakglassToken token;
  auto payload = Base64UrlDecode(parts[1]);
  if (!payload.ok()) return bad("payload is " + payload.status().message());
  token.payload_bytes = *payload;
  auto parsed = ParseBreakglassPayload(token.payload_bytes);
  if (!parsed.ok()) return parsed.status().Prefixed("break-glass token");
  token.payload = *parsed;
  for (size_t i = 2; i < parts.size(); ++i) {
    if (parts[i].empty()) return bad("signature " + std::to_string(i - 1) + " is empty");
    auto sig = Base64UrlDecode(parts[i]);
    if (!sig.ok()) return bad("signature " + std::to_string(i - 1) + " is " + sig.status().message());
    token.signatures.push_back(*sig);
  }
  return token;
}

std::string EncodeBreakglassToken(const BreakglassToken& token) {
  std::string out = std::string(kBreakglassTokenPrefix) + "." + Base64UrlEncode(token.payload_bytes);
  for (const auto& sig : token.signatures) out += "." + Base64UrlEncode(sig);
  return out;
}

Result<std::vector<BreakglassToken>> MergeBreakglassTokens(const std::vector<std::string>& texts) {
  std::vector<BreakglassToken> merged;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto token = ParseBreakglassToken(texts[i]);
    if (!token.ok()) return token.status().Prefixed("token " + std::to_string(i + 1));
    auto same = std::find_if(merged.begin(), merged.end(),
                             [&](const BreakglassToken& t) { return t.payload_bytes == token->payload_bytes; });
    if (same == merged.end()) {
      merged.push_back(*token);
      same = merged.end() - 1;
      same->signatures.clear();
    }
    for (const auto& sig : token->signatures) {
      if (std::find(same->signatures.begin(), same->signatures.end(), sig) == same->signatures.end()) {
        if (same->signatures.size() == kMaxTokenSignatures) {
          return Status::InvalidArgument("break-glass token " + same->payload.id + ": more than " +
                                         std::to_string(kMaxTokenSignatures) + " signatures");
        }
        same->signatures.push_back(sig);
      }
    }
  }
  return merged;
}

}  // namespace pushgate
