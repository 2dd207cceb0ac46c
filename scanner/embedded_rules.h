// The rule files compiled into the binary. The table is generated at build time from
// config/rules/*.yaml by config/rules/EmbedRules.cmake (contents as byte arrays, so no file
// content can break out of a string literal).
//
// Thread-safety: constant data.
#pragma once

#include <cstddef>

namespace pushgate::scanner {

struct EmbeddedRuleFile {
  const char* name;           // file name, e.g. "aws.yaml"
  const unsigned char* data;  // file contents (not NUL-terminated)
  size_t size;
};

// The embedded files, sorted by name; kEmbeddedRuleFileCount may be 0.
extern const EmbeddedRuleFile kEmbeddedRuleFiles[];
extern const size_t kEmbeddedRuleFileCount;

}  // namespace pushgate::scanner
