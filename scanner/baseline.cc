#include "scanner/baseline.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "base/files.h"

namespace pushgate::scanner {

namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kHashBytes = 32;
constexpr uint64_t kMaxBaselineBytes = 64ull << 20;

std::string ToHex(const unsigned char* data, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.resize(2 * n);
  return out;
}

bool IsHex(const std::string& s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Baseline Baseline::Create() {
  if (sodium_init() < 0) abort();  // libsodium cannot initialise: no safe randomness at all
  Baseline b;
  b.key_.resize(kKeyBytes);
  randombytes_buf(b.key_.data(), b.key_.size());
  return b;
}

Result<Baseline> Baseline::Load(const std::string& path) {
  auto text = ReadFile(path, kMaxBaselineBytes);
  if (!text.ok()) return text.status().Prefixed("baseline");
  return Parse(*text, path);
}

Result<Baseline> Baseline::Parse(std::string_view json, const std::string& name) {
  if (sodium_init() < 0) return Status::Internal("libsodium cannot be initialised");
  auto bad = [&](const std::string& what) { return Status::Corruption("baseline " + name + ": " + what); };
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return bad("not valid JSON");
  if (!doc.is_object()) return bad("must be a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer() || version->get<int64_t>() != 1) {
    return bad("\"version\" must be 1");
  }
  auto key = doc.find("key");
  if (key == doc.end() || !key->is_string() || !IsHex(key->get<std::string>(), 2 * kKeyBytes)) {
    return bad("\"key\" must be 64 lower-case hex characters");
  }
  Baseline b;
  b.key_.resize(kKeyBytes);
  const std::string key_hex = key->get<std::string>();
  size_t bin_len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(b.key_.data()), kKeyBytes, key_hex.data(), key_hex.size(),
                     nullptr, &bin_len, nullptr) != 0 ||
      bin_len != kKeyBytes) {
    return bad("\"key\" is not valid hex");
  }
  auto list = doc.find("fingerprints");
  if (list == doc.end() || !list->is_array()) return bad("\"fingerprints\" must be a list");
  for (size_t i = 0; i < list->size(); ++i) {
    const auto& entry = (*list)[i];
    const std::string where = "fingerprints[" + std::to_string(i) + "]";
    if (!entry.is_object()) return bad(where + " must be an object");
    auto rule = entry.find("rule");
    auto fp = entry.find("fingerprint");
    if (rule == entry.end() || !rule->is_string() || rule->get<std::string>().empty()) {
      return bad(where + ".rule must be a rule id");
    }
    if (fp == entry.end() || !fp->is_string() || !IsHex(fp->get<std::string>(), 2 * kHashBytes)) {
      return bad(where + ".fingerprint must be 64 lower-case hex characters");
    }
    b.entries_.emplace(rule->get<std::string>(), fp->get<std::string>());
  }
  return b;
}

std::string Baseline::Fingerprint(std::string_view rule_id, std::string_view secret) const {
  crypto_generichash_state st;
  crypto_generichash_init(&st, reinterpret_cast<const unsigned char*>(key_.data()), key_.size(), kHashBytes);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(rule_id.data()), rule_id.size());
  const unsigned char separator = 0;
  crypto_generichash_update(&st, &separator, 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  unsigned char out[kHashBytes];
  crypto_generichash_final(&st, out, sizeof out);
  return ToHex(out, sizeof out);
}

bool Baseline::Contains(std::string_view rule_id, std::string_view secret) const {
  return entries_.count({std::string(rule_id), Fingerprint(rule_id, secret)}) > 0;
}

bool Baseline::Add(std::string_view rule_id, std::string_view secret) {
  return entries_.emplace(std::string(rule_id), Fingerprint(rule_id, secret)).second;
}

std::string Baseline::ToJson() const {
  nlohmann::json doc;
  doc["version"] = 1;
  doc["key"] = ToHex(reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [rule, fp] : entries_) list.push_back({{"rule", rule}, {"fingerprint", fp}});
  doc["fingerprints"] = std::move(list);
  return doc.dump(2) + "\n";
}

Status Baseline::Save(const std::string& path) const { return WriteFileAtomic(path, ToJson(), 0644); }

}  // namespace pushgate::scanner
