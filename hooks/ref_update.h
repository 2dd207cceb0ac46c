// A ref update as Git hands it to the pre-receive and update hooks, and its classification.
//
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace pushgate {

enum class RefChange { kCreate, kDelete, kFastForward, kForce };

struct RefUpdate {
  std::string old_oid;  // 40 hex digits; all zeroes for a create
  std::string new_oid;  // all zeroes for a delete
  std::string ref;      // full name, e.g. refs/heads/main
  RefChange change = RefChange::kFastForward;  // set by the push model once objects are readable

  bool is_create() const;
  bool is_delete() const;
  bool is_tag() const { return ref.rfind("refs/tags/", 0) == 0; }
  bool is_branch() const { return ref.rfind("refs/heads/", 0) == 0; }
};

// Parses pre-receive stdin: one "<old> SP <new> SP <ref>" line per update. SHA-256 object ids
// (64 hex digits) are refused with a clear message: the libgit2 this gate is built on cannot
// read SHA-256 repositories. Malformed lines are errors naming the line.
Result<std::vector<RefUpdate>> ParseRefUpdates(std::string_view text);

// Builds the update of the `update` hook from its three arguments, with the same checks.
Result<RefUpdate> MakeRefUpdate(const std::string& ref, const std::string& old_oid, const std::string& new_oid);

// "create", "delete", "fast-forward" or "force".
const char* RefChangeName(RefChange change);

// True for a string of 40 zero digits.
bool IsZeroOid(std::string_view oid);

}  // namespace pushgate
