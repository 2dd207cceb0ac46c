// The push model (SPEC §1.1): from the ref updates of one push and the repository with its
// quarantine, computes what the checks look at:
//   - ref inputs: for each updated ref, its classification and the commits that newly become
//     reachable from it: `new ^old`; for a created ref, `new --not` the refs of its protection
//     class (the refs matching every environment the new ref matches; for a ref no environment
//     names, every branch and tag). Each commit carries the paths it changes against *every*
//     parent (a merge that brings a path back to an older version has changed it; a rename touches
//     both paths; deletions, symlinks and gitlinks are changes);
//   - content inputs: every blob a commit of the model puts at a path (added or modified against
//     any parent), whether or not the object store held it before, once, with the places it
//     appears; blobs and trees that an updated ref or tag points at directly; the quarantine's
//     blobs that nothing references; every commit message of the model and every annotated tag
//     message on the way from an updated ref to its target. What the store already held is not
//     proof that it was checked (a refused push, a later hook's refusal, or a push made before the
//     gate was installed leave objects behind).
// Work is bounded by PushLimits; what is cut short is recorded in `limit_notes`, never dropped
// silently.
//
// Thread-safety: BuildPushModel uses the Repository given to it (one thread). The resulting
// PushModel is a plain value.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "config/glob.h"
#include "hooks/git.h"
#include "hooks/ref_update.h"
#include "hooks/repository.h"

namespace pushgate {

struct PathChange {
  char status = 'M';          // A added, M modified, D deleted, R renamed, T type changed
  unsigned parent = 0;        // index of the parent this change is against
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
  // Against every parent in turn (`parent` says which), or the empty tree for a root commit.
  std::vector<PathChange> changes;

  // Every path the commit touches against any parent, once: both sides of a rename, deleted
  // paths too.
  std::vector<std::string> TouchedPaths() const;
};

// Where a blob appears in the push: used to decide whether a secret in it is new.
struct BlobOccurrence {
  size_t commit = SIZE_MAX;   // index into PushModel::commits; SIZE_MAX when not put there by a commit
  std::string path;           // empty for a blob a ref or tag points at, or a quarantine leftover
  // The blob at the same (or rename source) path in each parent; zero where the parent lacks the
  // path. A secret is new at this place when no parent version holds it. Empty for a root commit
  // and for blobs outside commits.
  std::vector<git_oid> parent_blobs;
  std::string ref;
};

struct BlobInput {
  git_oid id{};
  uint64_t size = 0;
  std::vector<BlobOccurrence> occurrences;  // at least one, oldest first; capped
  size_t dropped_occurrences = 0;           // places past the cap (never silently: see secret_scan)
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

// Which refs protect which: for a created ref, the refs whose commits count as already judged.
struct RefClasses {
  std::vector<const GlobSet*> environments;  // each environment's `refs` globs
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

  // Paths the ref's commits add or change against any parent (not deletions, not gitlinks), in
  // order of first appearance.
  std::vector<std::string> ChangedPaths(const RefInput& ref) const;
};

// Builds the model. Errors mean the push cannot be judged (e.g. a pushed object is missing or
// malformed); the caller refuses the push.
Result<PushModel> BuildPushModel(const Repository& repo, const std::vector<RefUpdate>& updates,
                                 const PushLimits& limits, const RefClasses& classes = {});

// Builds the same model for a revision range outside a push ("A..B", or "B" for B's whole
// ancestry), as if B were pushed on top of A; `label` names it in findings.
Result<PushModel> BuildRangeModel(const Repository& repo, const std::string& range, const std::string& label,
                                  const PushLimits& limits);

// The provenance of some blobs in a repository's whole history (`scan --all`, after a fast pass
// found matches in them): every commit reachable from any ref, oldest first, diffed against every
// parent, and every place one of `blobs` is put at a path, blobs and trees refs or tags point at
// directly, and annotated tag messages. Commits keep only their ids (no change lists, no messages),
// so memory follows the number of commits, not the size of the history.
Result<PushModel> BuildProvenanceModel(const Repository& repo,
                                       const std::unordered_set<git_oid, GitOidHash, GitOidEqual>& blobs,
                                       const PushLimits& limits);

}  // namespace pushgate
