// The push model (SPEC §1.1): from the ref updates of one push and the repository with its
// quarantine, computes what the checks look at:
//   - ref inputs: for each updated ref, its classification and the commits that newly become
//     reachable from it (`new ^old`, or `new --not refs/heads/* refs/tags/*` for a created ref),
//     each with the paths it changes against its first parent (a rename touches both paths);
//   - content inputs: every blob new to the repository, once, with where it appears; every new
//     commit message and annotated tag message.
// Work is bounded by PushLimits; what is cut short is recorded in `limit_notes`, never dropped
// silently.
//
// Thread-safety: BuildPushModel uses the Repository given to it (one thread). The resulting
// PushModel is a plain value.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "hooks/git.h"
#include "hooks/ref_update.h"
#include "hooks/repository.h"

namespace pushgate {

struct PathChange {
  char status = 'M';          // A added, M modified, D deleted, R renamed, T type changed
  std::string path;           // the new side (for D, the deleted path)
  git_oid blob{};             // new side; zero for a deletion
  uint32_t mode = 0;          // new side file mode
  std::string old_path;       // the parent side path (rename source, or the same path)
  git_oid old_blob{};         // zero when the path is new
};

struct PushedCommit {
  git_oid id{};
  std::string hex;
  std::vector<git_oid> parents;
  std::string message;
  std::string author_name, author_email, committer_name, committer_email;
  std::vector<PathChange> changes;  // against the first parent (the empty tree for a root commit)

  // Every path the commit touches: both sides of a rename, deleted paths too.
  std::vector<std::string> TouchedPaths() const;
};

// Where a blob appears in the push: used to decide whether a secret in it is new.
struct BlobOccurrence {
  size_t commit = SIZE_MAX;   // index into PushModel::commits; SIZE_MAX when only in the quarantine
  std::string path;
  git_oid parent_blob{};      // the blob at the same (or rename source) path in the first parent
  std::string ref;
};

struct BlobInput {
  git_oid id{};
  uint64_t size = 0;
  std::vector<BlobOccurrence> occurrences;  // at least one; capped
};

struct MessageInput {
  enum class Kind { kCommit, kTag } kind = Kind::kCommit;
  std::string object;         // hex id of the commit or tag object
  std::string ref;
  std::string text;
};

struct RefInput {
  RefUpdate update;           // with `change` classified
  std::vector<size_t> commits;  // indices into PushModel::commits, oldest first
  std::string target_commit;  // hex of the commit the new value peels to; empty if none
};

struct PushLimits {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  int64_t max_commits = INT64_MAX;
  int64_t max_blobs = INT64_MAX;
  int64_t max_bytes = INT64_MAX;  // total size of the new blobs
};

struct PushModel {
  std::vector<RefInput> refs;
  std::vector<PushedCommit> commits;
  std::vector<BlobInput> blobs;
  std::vector<MessageInput> messages;
  std::vector<std::string> limit_notes;  // what was not examined, and why
  bool has_quarantine = false;
};

// Builds the model. Errors mean the push cannot be judged (e.g. a pushed object is missing or
// malformed); the caller refuses the push.
Result<PushModel> BuildPushModel(const Repository& repo, const std::vector<RefUpdate>& updates,
                                 const PushLimits& limits);

// Builds the same model for a revision range outside a push ("A..B", or "B" for B's whole
// ancestry), as if B were pushed on top of A; `label` names it in findings.
Result<PushModel> BuildRangeModel(const Repository& repo, const std::string& range, const std::string& label,
                                  const PushLimits& limits);

}  // namespace pushgate
