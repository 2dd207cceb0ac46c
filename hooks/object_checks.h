// Object hygiene (the checks `git fsck` makes, whatever `receive.fsckObjects` says): every new
// tree, commit and tag of a push is checked for what breaks or endangers the clients that fetch
// it — `.`, `..` and `.git` entries in any case and in their NTFS/HFS spellings, `/` in names,
// empty names, duplicate or unsorted entries, bad or zero-padded modes, a `.gitmodules` that is a
// symlink or carries an option-like URL or path, malformed author/committer/tagger lines and
// missing headers. Each problem is an "object" finding (an error) naming the object and the path
// where the push puts it. The rules follow Git's fsck.c, path.c (is_ntfs_dotgit) and utf8.c
// (is_hfs_dotgit), with every message type Git knows as a warning treated as an error, as
// `receive.fsckObjects` does (index-pack --strict); Git's informational ones (a missing tagger,
// a `.gitignore` symlink) are not reported.
//
// Objects are read raw (git_odb_read), never parsed by libgit2, so an object libgit2 refuses is
// still named. An object that cannot be read is a finding too (fail closed). Work stops at the
// context's deadline with a "limits" finding.
//
// Thread-safety: CheckObjects uses the context's Repository; run it on the thread that owns it.
// The buffer checks below are pure functions.
#pragma once

#include <git2.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hooks/checks.h"

namespace pushgate {

// Checks the objects the push brings: with a quarantine, every commit, tree and tag in it that is
// new to the repository; in every mode, the commits of the model (which the object store may
// already have held, unchecked) — each commit with the trees and `.gitmodules` blobs its changes
// reach (those that differ from its first parent's). Findings go to `out`; the Status is not OK
// only when the object database itself cannot be opened or listed.
Status CheckObjects(const CheckContext& ctx, std::vector<Finding>* out);

class ObjectChecker;

// The object check of one pre-receive in two passes that share what they checked, so nothing is
// walked twice: the raw quarantine first, before libgit2 parses any pushed object (a malformed
// commit the push model could not be built from is then refused with what is wrong with it), and
// the model's commits once the model exists. Together they check what CheckObjects checks.
//
// Thread-safety: one thread; `repo` and `out` must outlive it.
class PushObjectCheck {
 public:
  PushObjectCheck(const Config& config, const Repository& repo, std::chrono::steady_clock::time_point deadline,
                  std::vector<Finding>* out);
  ~PushObjectCheck();
  PushObjectCheck(const PushObjectCheck&) = delete;
  PushObjectCheck& operator=(const PushObjectCheck&) = delete;

  // Every commit, tree and tag in the quarantine that is new to the repository (nothing without a
  // quarantine). Not OK only when the object database cannot be opened or listed.
  Status CheckQuarantine();
  // The model's commits with the trees and `.gitmodules` blobs their changes reach, skipping
  // what the first pass checked; then the count of problems past the cap.
  Status CheckModel(const PushModel& model);

 private:
  std::unique_ptr<ObjectChecker> checker_;
  Status opened_;
  bool repo_has_quarantine_ = false;
};

// Git's names for `.git` and `.gitmodules` on NTFS (`git~1`, `.git.`, `.git::$INDEX_ALLOCATION`,
// short names like `gi7eba~1`) and HFS+ (ignorable code points such as U+200C inside the name).
// `name` is one tree entry name.
bool IsNtfsDotGit(std::string_view name);
bool IsHfsDotGit(std::string_view name);
bool IsNtfsDotGitmodules(std::string_view name);
bool IsHfsDotGitmodules(std::string_view name);

// One problem in an object: the tree entry it concerns (empty for the object as a whole) and what.
struct ObjectProblem {
  std::string entry;
  std::string what;
};

// One entry of a raw tree as far as it parsed.
struct RawTreeEntry {
  unsigned mode = 0;
  std::string name;
  git_oid id{};
};

// Checks a raw tree buffer; the entries it parsed go to `entries` (when not null).
std::vector<ObjectProblem> CheckTreeBuffer(std::string_view raw, std::vector<RawTreeEntry>* entries);
// Checks a raw commit or tag buffer (Git's fsck_commit / fsck_tag); empty when well-formed.
std::vector<ObjectProblem> CheckCommitBuffer(std::string_view raw);
std::vector<ObjectProblem> CheckTagBuffer(std::string_view raw);
// Checks a `.gitmodules` blob, parsed as Git config (submodule names, and url, path and update
// values that Git would pass on as options or commands).
std::vector<ObjectProblem> CheckGitmodulesBuffer(std::string_view raw);

}  // namespace pushgate
