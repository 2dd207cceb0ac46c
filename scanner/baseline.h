// A baseline is a file of fingerprints of secrets that are known and accepted, so they no longer
// block pushes. A fingerprint is a keyed BLAKE2b hash of the rule id and the secret bytes: it
// survives rebases, moves and line changes (unlike commit:path:line schemes), and it never
// reveals the secret. The 32-byte key is random per baseline file and stored in it, so equal
// secrets in two baselines do not share fingerprints.
//
// File format (JSON):
//   {"version":1,"key":"<64 hex>","fingerprints":[{"rule":"aws-access-key-id","fingerprint":"<64 hex>"}]}
//
// Thread-safety: const methods may be called concurrently; Add() and Save() need exclusive access.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"

namespace pushgate::scanner {

class Baseline {
 public:
  // A new, empty baseline with a fresh random key.
  static Baseline Create();

  // Reads a baseline file; a malformed file is a Corruption error naming what is wrong.
  static Result<Baseline> Load(const std::string& path);

  // Parses baseline JSON text; name is used in error messages.
  static Result<Baseline> Parse(std::string_view json, const std::string& name);

  // The fingerprint of (rule_id, secret) under this baseline's key, as 64 hex characters.
  std::string Fingerprint(std::string_view rule_id, std::string_view secret) const;

  // True when the baseline holds this secret for this rule.
  bool Contains(std::string_view rule_id, std::string_view secret) const;

  // Records the secret; returns false when it was already there.
  bool Add(std::string_view rule_id, std::string_view secret);

  // The JSON text of the baseline (fingerprints sorted, so diffs stay small).
  std::string ToJson() const;

  // Writes the baseline atomically.
  Status Save(const std::string& path) const;

  size_t size() const { return entries_.size(); }

 private:
  Baseline() = default;
  std::string key_;                                       // 32 raw bytes
  std::set<std::pair<std::string, std::string>> entries_;  // (rule id, hex fingerprint)
};

}  // namespace pushgate::scanner
