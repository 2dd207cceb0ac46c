// RAII ownership of libgit2 handles, the one-time library set-up, conversion of libgit2 errors
// into Status, revision resolution, and git_oid hashing for unordered containers. Every libgit2
// object in pushgate is held through these types.
//
// Thread-safety: libgit2 objects must not be shared between threads (one git_repository per
// thread); the handles add no locking of their own. InitLibgit2() is safe to call from any thread.
#pragma once

#include <git2.h>

#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"

namespace pushgate {

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const {
    if (p) Free(p);
  }
};

template <typename T, void (*Free)(T*)>
using GitHandle = std::unique_ptr<T, GitDeleter<T, Free>>;

using GitRepository = GitHandle<git_repository, git_repository_free>;
using GitOdb = GitHandle<git_odb, git_odb_free>;
using GitOdbObject = GitHandle<git_odb_object, git_odb_object_free>;
using GitObject = GitHandle<git_object, git_object_free>;
using GitCommit = GitHandle<git_commit, git_commit_free>;
using GitTree = GitHandle<git_tree, git_tree_free>;
using GitTreeEntry = GitHandle<git_tree_entry, git_tree_entry_free>;
using GitBlob = GitHandle<git_blob, git_blob_free>;
using GitTag = GitHandle<git_tag, git_tag_free>;
using GitRevwalk = GitHandle<git_revwalk, git_revwalk_free>;
using GitDiff = GitHandle<git_diff, git_diff_free>;
using GitReference = GitHandle<git_reference, git_reference_free>;
using GitReferenceIterator = GitHandle<git_reference_iterator, git_reference_iterator_free>;
using GitIndex = GitHandle<git_index, git_index_free>;
using GitConfig = GitHandle<git_config, git_config_free>;

// A git_buf that frees itself.
struct GitBuf {
  git_buf buf = GIT_BUF_INIT;
  GitBuf() = default;
  GitBuf(const GitBuf&) = delete;
  GitBuf& operator=(const GitBuf&) = delete;
  ~GitBuf() { git_buf_dispose(&buf); }
};

// Initialises libgit2 once per process with the settings a hook wants: no strict hash
// verification (index-pack already checked the received pack), larger tree caching, no
// repository-owner check (git receive-pack already chose to serve this repository).
void InitLibgit2();

// Maps packs in modest windows, so that a scan of a whole history holds memory bounded by these
// rather than by the size of the repository (the defaults map up to 8 GiB). A hook reads little
// and keeps the defaults: one large window costs fewer page faults.
void BoundPackWindows();

// Status for a failed libgit2 call: "<what>: <libgit2's last error message>".
Status GitError(const std::string& what, int code = -1);

std::string OidToHex(const git_oid& oid);
// Parses 40 hex digits; InvalidArgument otherwise.
Result<git_oid> OidFromHex(const std::string& hex);

// Resolves a revision expression ("main", "HEAD~2", a hex id...) and peels it to an object of
// the given type. NotFound "unknown revision '<spec>': ..." when it names nothing; an error
// "'<spec>' does not name a <type>: ..." when it cannot be peeled.
Result<GitObject> ResolveRevision(git_repository* repo, const std::string& spec, git_object_t type);

// Calls fn for every direct reference (symbolic ones name others) with its name and target id,
// stopping at the first error.
Status ForEachDirectReference(git_repository* repo,
                              const std::function<Status(const std::string& name, const git_oid& target)>& fn);

// Hash and equality for git_oid keys of unordered containers. Object ids are already uniformly
// distributed, so the first bytes serve as the hash.
struct GitOidHash {
  size_t operator()(const git_oid& o) const {
    size_t h;
    std::memcpy(&h, o.id, sizeof h);
    return h;
  }
};
struct GitOidEqual {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b); }
};

}  // namespace pushgate
