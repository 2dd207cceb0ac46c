// A compact binary form of a parsed RuleSet, cached next to the compiled database: parsing the
// YAML rule files takes tens of milliseconds, decoding this form a fraction of one, which keeps
// hook start-up within its budget. The cache key hashes every rule file's name and contents and
// the disabled ids, so any change to the inputs misses the cache and re-parses. The file is
// written and read through scanner/cache_file.h, whose digest must match before DecodeRuleSet
// sees a byte: one flipped bit in a pattern re-parses the YAML, it is never used.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "scanner/rules.h"

namespace pushgate::scanner {

// Serializes rules (every field of every rule).
std::string EncodeRuleSet(const RuleSet& rules);

// Parses EncodeRuleSet output; Corruption on any truncation or inconsistency.
Result<RuleSet> DecodeRuleSet(std::string_view data);

// Hex BLAKE2b key over the format version, the sources and the disabled ids.
std::string RuleSetCacheKey(const std::vector<RuleSource>& sources, const std::vector<std::string>& disabled);

}  // namespace pushgate::scanner
