#include "hooks/git.h"

#include <mutex>

namespace pushgate {

void InitLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, static_cast<size_t>(1 << 20));
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_COMMIT, static_cast<size_t>(64 << 10));
    git_libgit2_opts(GIT_OPT_DISABLE_PACK_KEEP_FILE_CHECKS, 1);
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
  });
}

void BoundPackWindows() {
  InitLibgit2();
  git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, static_cast<size_t>(32) << 20);
  git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, static_cast<size_t>(96) << 20);
}

Status GitError(const std::string& what, int code) {
  const git_error* e = git_error_last();
  std::string msg = what + ": " + (e && e->message ? e->message : "libgit2 error " + std::to_string(code));
  if (code == GIT_ENOTFOUND) return Status::NotFound(msg);
  return Status::Corruption(msg);
}

std::string OidToHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

Result<git_oid> OidFromHex(const std::string& hex) {
  git_oid oid;
  if (hex.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex.c_str()) != 0) {
    return Status::InvalidArgument("'" + hex.substr(0, 80) + "' is not an object id");
  }
  return oid;
}

Result<GitObject> ResolveRevision(git_repository* repo, const std::string& spec, git_object_t type) {
  git_object* raw = nullptr;
  int rc = git_revparse_single(&raw, repo, spec.c_str());
  if (rc != 0) return GitError("unknown revision '" + spec + "'", rc);
  GitObject named(raw);
  git_object* peeled = nullptr;
  if ((rc = git_object_peel(&peeled, raw, type)) != 0) {
    return GitError("'" + spec + "' does not name a " + git_object_type2string(type), rc);
  }
  return GitObject(peeled);
}

Status ForEachDirectReference(git_repository* repo,
                              const std::function<Status(const std::string& name, const git_oid& target)>& fn) {
  git_reference_iterator* raw = nullptr;
  if (git_reference_iterator_new(&raw, repo) != 0) return GitError("cannot list the references");
  std::unique_ptr<git_reference_iterator, void (*)(git_reference_iterator*)> it(raw, git_reference_iterator_free);
  git_reference* r = nullptr;
  int rc;
  while ((rc = git_reference_next(&r, it.get())) == 0) {
    GitReference ref(r);
    if (git_reference_type(r) != GIT_REFERENCE_DIRECT) continue;
    PG_RETURN_IF_ERROR(fn(git_reference_name(r), *git_reference_target(r)));
  }
  if (rc != GIT_ITEROVER) return GitError("cannot list the references", rc);
  return Status::Ok();
}

}  // namespace pushgate
