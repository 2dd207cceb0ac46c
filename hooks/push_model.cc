#include "hooks/push_model.h"

#include <algorithm>
#include <map>
#include <set>
#include <memory>
#include <unordered_map>
#include <unordered_set>

namespace pushgate {

namespace {

constexpr size_t kMaxOccurrences = 64;
constexpr size_t kMaxTagTreeDepth = 256;
constexpr uint32_t kGitlinkMode = 0160000;

bool IsZero(const git_oid& o) { return git_oid_is_zero(&o); }

// Builds the model step by step; holds the indexes that deduplicate commits and blobs.
class Builder {
 public:
  Builder(const Repository& repo, const PushLimits& limits, const RefClasses& classes)
      : repo_(repo), limits_(limits), classes_(classes) {
    model_.has_quarantine = repo.has_quarantine();
  }

  Status AddRef(const RefUpdate& update) {
    RefInput input{update, {}, ""};
    if (update.is_delete()) {
      input.update.change = RefChange::kDelete;
      model_.refs.push_back(std::move(input));
      return Status::Ok();
    }
    auto new_oid = OidFromHex(update.new_oid);
    if (!new_oid.ok()) return new_oid.status();
    git_oid new_commit{};
    bool new_is_commit = false;
    PG_RETURN_IF_ERROR(Peel(*new_oid, update.ref, &new_commit, &new_is_commit));
    if (new_is_commit) input.target_commit = OidToHex(new_commit);

    git_oid old_commit{};
    bool old_is_commit = false;
    if (!update.is_create()) {
      auto old_oid = OidFromHex(update.old_oid);
      if (!old_oid.ok()) return old_oid.status();
      // The old value may point at anything (or be gone from a damaged repository): only a commit
      // can bound the walk.
      if (!Peel(*old_oid, update.ref, &old_commit, &old_is_commit).ok()) old_is_commit = false;
    }
    input.update.change = Classify(update, new_is_commit, new_commit, old_is_commit, old_commit);
    if (new_is_commit) {
      PG_RETURN_IF_ERROR(Walk(update, new_commit, old_is_commit ? &old_commit : nullptr, &input.commits));
    }
    model_.refs.push_back(std::move(input));
    return Status::Ok();
  }

  // Adds blobs that are in the quarantine but not reached through the new commits' diffs
  // (trees or blobs pointed at by tags, objects sent without a commit naming them).
  Status AddQuarantineLeftovers() {
    if (!repo_.has_quarantine()) return Status::Ok();
    git_odb* odb = nullptr;
    if (git_repository_odb(&odb, repo_.get()) != 0) return GitError("cannot open object database");
    GitOdb odb_handle(odb);
    std::vector<git_oid> leftovers;
    PG_RETURN_IF_ERROR(repo_.ForEachQuarantineObject([&](const git_oid& id) {
      if (blob_index_.count(id)) return;
      size_t size = 0;
      git_object_t type = GIT_OBJECT_INVALID;
      if (git_odb_read_header(&size, &type, odb, &id) == 0 && type == GIT_OBJECT_BLOB && repo_.IsNewObject(id)) {
        leftovers.push_back(id);
      }
    }));
    for (const auto& id : leftovers) AddBlob(id, BlobOccurrence{});
    return Status::Ok();
  }

  // Adds the commits of a revision range: tip minus (optionally) base.
  Status AddRange(const git_oid& tip, const git_oid* base, const std::string& label) {
    RefInput input;
    input.update.ref = label;
    input.update.new_oid = OidToHex(tip);
    input.update.old_oid = base ? OidToHex(*base) : std::string(40, '0');
    input.target_commit = input.update.new_oid;
    hide_existing_refs_ = false;
    PG_RETURN_IF_ERROR(Walk(input.update, tip, base, &input.commits));
    model_.refs.push_back(std::move(input));
    return Status::Ok();
  }

  // Provenance mode: only these blobs are recorded, and commits are kept without their change
  // lists and messages.
  void RestrictTo(const std::unordered_set<git_oid, GitOidHash, GitOidEqual>* blobs) { only_blobs_ = blobs; }

  // Every commit reachable from any ref, oldest first, as one pseudo-ref; refs and tags that end
  // at trees or blobs add those, and annotated tag messages are recorded on the way.
  Status AddWholeHistory(const std::string& label) {
    git_revwalk* raw = nullptr;
    if (git_revwalk_new(&raw, repo_.get()) != 0) return GitError("cannot start a revision walk");
    GitRevwalk walk(raw);
    git_revwalk_sorting(raw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
    PG_RETURN_IF_ERROR(ForEachDirectReference(repo_.get(), [&](const std::string& name, const git_oid& target) {
      git_oid commit{};
      bool is_commit = false;
      PG_RETURN_IF_ERROR(Peel(target, name, &commit, &is_commit));
      int rc = is_commit ? git_revwalk_push(raw, &commit) : 0;
      return rc == 0 ? Status::Ok() : GitError("cannot walk from " + name, rc);
    }));
    RefInput input;
    input.update.ref = label;
    git_oid id;
    int rc;
    while ((rc = git_revwalk_next(&id, raw)) == 0) {
      if (std::chrono::steady_clock::now() > limits_.deadline) {
        model_.limit_notes.push_back("time budget spent while tracing where the findings were introduced");
        break;
      }
      auto idx = AddCommit(id, label);
      if (!idx.ok() && idx.status().code() == Status::Code::kTimeout) {
        model_.limit_notes.push_back("time budget spent while tracing where the findings were introduced");
        break;
      }
      if (!idx.ok()) return idx.status();
      if (*idx == SIZE_MAX) {
        model_.limit_notes.push_back("more than " + std::to_string(limits_.max_commits) + " commits; the history was not fully traced");
        break;
      }
      input.commits.push_back(*idx);
    }
    if (rc != GIT_ITEROVER && rc != 0) return GitError("revision walk failed", rc);
    model_.refs.push_back(std::move(input));
    return Status::Ok();
  }

  PushModel Finish() { return std::move(model_); }

 private:
  // Peels oid through tags to a commit, recording every annotated tag message on the way. A ref
  // or tag that ends at a blob or a tree brings that content: it is added with its paths.
  Status Peel(const git_oid& oid, const std::string& ref, git_oid* commit, bool* is_commit) {
    git_oid cur = oid;
    for (int depth = 0; depth < 32; ++depth) {
      git_object* raw = nullptr;
      int rc = git_object_lookup(&raw, repo_.get(), &cur, GIT_OBJECT_ANY);
      if (rc != 0) return GitError("cannot read object " + OidToHex(cur) + " for " + ref, rc);
      GitObject obj(raw);
      git_object_t type = git_object_type(raw);
      if (type == GIT_OBJECT_COMMIT) {
        *commit = cur;
        *is_commit = true;
        return Status::Ok();
      }
      if (type != GIT_OBJECT_TAG) {
        *is_commit = false;
        if (type == GIT_OBJECT_BLOB) AddBlob(cur, BlobOccurrence{SIZE_MAX, "", {}, ref});
        if (type == GIT_OBJECT_TREE) {
          return AddTreeBlobs(reinterpret_cast<const git_tree*>(raw), "", 0, ref);
        }
        return Status::Ok();
      }
      auto* tag = reinterpret_cast<git_tag*>(raw);
      if (seen_tags_.insert(OidToHex(cur)).second) {
        const char* msg = git_tag_message(tag);
        model_.messages.push_back({MessageInput::Kind::kTag, OidToHex(cur), ref, msg ? msg : ""});
      }
      cur = *git_tag_target_id(tag);
    }
    return Status::Corruption("tag chain too deep for " + ref);
  }

  // Adds every blob of a tree a ref or tag points at directly, with its path.
  Status AddTreeBlobs(const git_tree* tree, const std::string& prefix, size_t depth, const std::string& ref) {
    if (depth > kMaxTagTreeDepth) return Status::Corruption("tree nesting deeper than 256 levels at " + prefix);
    for (size_t i = 0, n = git_tree_entrycount(tree); i < n; ++i) {
      if (std::chrono::steady_clock::now() > limits_.deadline) {
        NoteOnce(&tree_time_noted_, "time budget spent while listing the files of a tree that " + ref + " points at");
        return Status::Ok();
      }
      const git_tree_entry* e = git_tree_entry_byindex(tree, i);
      std::string path = prefix + git_tree_entry_name(e);
      git_object_t type = git_tree_entry_type(e);
      if (type == GIT_OBJECT_BLOB) {
        AddBlob(*git_tree_entry_id(e), BlobOccurrence{SIZE_MAX, path, {}, ref});
      } else if (type == GIT_OBJECT_TREE) {
        if (!seen_trees_.insert(*git_tree_entry_id(e)).second) continue;
        GitTree sub;
        PG_RETURN_IF_ERROR(LookupTree(git_tree_entry_id(e), &sub));
        PG_RETURN_IF_ERROR(AddTreeBlobs(sub.get(), path + "/", depth + 1, ref));
      }
    }
    return Status::Ok();
  }

  void NoteOnce(bool* noted, const std::string& note) {
    if (*noted) return;
    *noted = true;
    model_.limit_notes.push_back(note);
  }

  RefChange Classify(const RefUpdate& u, bool new_is_commit, const git_oid& new_commit, bool old_is_commit,
                     const git_oid& old_commit) {
    if (u.is_create()) return RefChange::kCreate;
    if (u.is_tag() || !new_is_commit || !old_is_commit) {
      // Moving a tag, or a ref between non-commits, rewrites it whatever the ancestry.
      return u.old_oid == u.new_oid ? RefChange::kFastForward : RefChange::kForce;
    }
    if (git_oid_equal(&new_commit, &old_commit)) return RefChange::kFastForward;
    int rc = git_graph_descendant_of(repo_.get(), &new_commit, &old_commit);
    return rc == 1 ? RefChange::kFastForward : RefChange::kForce;
  }

  Status Walk(const RefUpdate& u, const git_oid& tip, const git_oid* hide, std::vector<size_t>* out) {
    git_revwalk* raw = nullptr;
    if (git_revwalk_new(&raw, repo_.get()) != 0) return GitError("cannot start a revision walk");
    GitRevwalk walk(raw);
    git_revwalk_sorting(raw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
    int rc = git_revwalk_push(raw, &tip);
    if (rc != 0) return GitError("cannot walk from " + OidToHex(tip), rc);
    if (hide) {
      git_revwalk_hide(raw, hide);
    } else if (hide_existing_refs_) {
      PG_RETURN_IF_ERROR(HideProtectionClass(raw, u.ref));
    }
    git_oid id;
    while ((rc = git_revwalk_next(&id, raw)) == 0) {
      if (std::chrono::steady_clock::now() > limits_.deadline) {
        model_.limit_notes.push_back("time budget spent while listing the commits of " + u.ref);
        return Status::Ok();
      }
      auto idx = AddCommit(id, u.ref);
      if (!idx.ok() && idx.status().code() == Status::Code::kTimeout) {
        model_.limit_notes.push_back("time budget spent while comparing the trees of " + OidToHex(id).substr(0, 10) +
                                     " on " + u.ref);
        return Status::Ok();
      }
      if (!idx.ok()) return idx.status();
      if (*idx == SIZE_MAX) {
        model_.limit_notes.push_back("more than " + std::to_string(limits_.max_commits) + " new commits; " + u.ref +
                                     " was not fully examined");
        return Status::Ok();
      }
      out->push_back(*idx);
    }
    if (rc != GIT_ITEROVER) return GitError("revision walk of " + u.ref + " failed", rc);
    return Status::Ok();
  }

  // A created ref: what is new is what no ref of its protection class reaches (the refs still
  // hold their pre-push values while pre-receive runs). For a ref that environments name, those
  // are the refs every one of those environments names too, so an environment ref created from
  // commits judged only as an ordinary branch has them judged now; for any other ref, every
  // branch and tag.
  Status HideProtectionClass(git_revwalk* walk, const std::string& ref) {
    std::vector<const GlobSet*> classes;
    for (const GlobSet* g : classes_.environments) {
      if (g->Matches(ref)) classes.push_back(g);
    }
    if (classes.empty()) {
      git_revwalk_hide_glob(walk, "heads");
      git_revwalk_hide_glob(walk, "tags");
      return Status::Ok();
    }
    return ForEachDirectReference(repo_.get(), [&](const std::string& name, const git_oid& target) {
      if (name == ref) return Status::Ok();
      bool same_class = true;
      for (const GlobSet* g : classes) same_class = same_class && g->Matches(name);
      if (!same_class) return Status::Ok();
      git_object* obj = nullptr;
      if (git_object_lookup(&obj, repo_.get(), &target, GIT_OBJECT_ANY) != 0) return Status::Ok();
      GitObject holder(obj);
      git_object* peeled = nullptr;
      if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) return Status::Ok();  // not a commit: hides nothing
      GitObject p(peeled);
      int rc = git_revwalk_hide(walk, git_object_id(peeled));
      return rc == 0 ? Status::Ok() : GitError("cannot hide " + name, rc);
    });
  }

  // Returns the commit's index, SIZE_MAX when the commit limit is reached.
  Result<size_t> AddCommit(const git_oid& id, const std::string& ref) {
    if (auto it = commit_index_.find(id); it != commit_index_.end()) return it->second;
    if (static_cast<int64_t>(model_.commits.size()) >= limits_.max_commits) return SIZE_MAX;
    git_commit* raw = nullptr;
    int rc = git_commit_lookup(&raw, repo_.get(), &id);
    if (rc != 0) return GitError("cannot read commit " + OidToHex(id), rc);
    GitCommit commit(raw);
    PushedCommit pc;
    pc.id = id;
    pc.hex = OidToHex(id);
    for (unsigned i = 0; i < git_commit_parentcount(raw); ++i) pc.parents.push_back(*git_commit_parent_id(raw, i));
    const char* msg = git_commit_message_raw(raw);
    pc.message = msg ? msg : "";
    const git_signature* a = git_commit_author(raw);
    const git_signature* c = git_commit_committer(raw);
    pc.author_name = a->name, pc.author_email = a->email;
    pc.committer_name = c->name, pc.committer_email = c->email;
    PG_RETURN_IF_ERROR(Diff(raw, &pc.changes));
    size_t index = model_.commits.size();
    commit_index_[id] = index;
    AddCommitBlobs(pc, index, ref);
    if (only_blobs_) {
      pc.changes.clear();
      pc.changes.shrink_to_fit();
      pc.message.clear();
      pc.message.shrink_to_fit();
    } else {
      model_.messages.push_back({MessageInput::Kind::kCommit, pc.hex, ref, pc.message});
    }
    model_.commits.push_back(std::move(pc));
    return index;
  }

  // The blobs a commit puts at a path: every added or modified file against any parent, once per
  // path, with the blob each parent holds there (the blob itself for a parent against which the
  // path did not change).
  void AddCommitBlobs(const PushedCommit& pc, size_t index, const std::string& ref) {
    const size_t parents = pc.parents.size();
    std::map<std::string, std::pair<git_oid, std::vector<git_oid>>> by_path;  // path -> blob, parent blobs
    for (const auto& ch : pc.changes) {
      if (ch.status == 'D' || IsZero(ch.blob) || ch.mode == kGitlinkMode) continue;
      auto& slot = by_path[ch.path];
      slot.first = ch.blob;
      if (slot.second.empty()) slot.second.assign(parents, ch.blob);  // unchanged against a parent: same blob
      if (ch.parent < parents) slot.second[ch.parent] = ch.old_blob;
    }
    for (auto& [path, slot] : by_path) {
      AddBlob(slot.first, BlobOccurrence{index, path, std::move(slot.second), ref});
    }
  }

  Status Diff(git_commit* commit, std::vector<PathChange>* out) {
    git_tree* tree_raw = nullptr;
    int rc = git_commit_tree(&tree_raw, commit);
    if (rc != 0) return GitError("cannot read the tree of " + OidToHex(*git_commit_id(commit)), rc);
    GitTree tree(tree_raw);
    const unsigned parents = git_commit_parentcount(commit);
    if (parents == 0) {
      PG_RETURN_IF_ERROR(DiffTrees(nullptr, tree.get(), "", 0, out));
      PairExactRenames(out);
      return Status::Ok();
    }
    for (unsigned i = 0; i < parents; ++i) {
      git_commit* parent = nullptr;
      if ((rc = git_commit_parent(&parent, commit, i)) != 0) return GitError("cannot read a parent commit", rc);
      GitCommit parent_handle(parent);
      git_tree* pt = nullptr;
      if ((rc = git_commit_tree(&pt, parent)) != 0) return GitError("cannot read a parent tree", rc);
      GitTree parent_tree(pt);
      std::vector<PathChange> against;
      PG_RETURN_IF_ERROR(DiffTrees(parent_tree.get(), tree.get(), "", 0, &against));
      PairExactRenames(&against);
      for (auto& ch : against) {
        ch.parent = i;
        out->push_back(std::move(ch));
      }
    }
    return Status::Ok();
  }

  // Compares two trees (either may be null), descending only into subtrees whose ids differ:
  // the cost follows the size of the change, not of the repository.
  Status DiffTrees(const git_tree* old_tree, const git_tree* new_tree, const std::string& prefix, int depth,
                   std::vector<PathChange>* out) {
    if (depth > 256) return Status::Corruption("tree nesting deeper than 256 levels at " + prefix);
    if (new_tree) {
      for (size_t i = 0, n = git_tree_entrycount(new_tree); i < n; ++i) {
        PG_RETURN_IF_ERROR(Tick());
        const git_tree_entry* e = git_tree_entry_byindex(new_tree, i);
        const git_tree_entry* o = old_tree ? git_tree_entry_byname(old_tree, git_tree_entry_name(e)) : nullptr;
        if (o && git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(e)) &&
            git_tree_entry_filemode(o) == git_tree_entry_filemode(e)) {
          continue;
        }
        PG_RETURN_IF_ERROR(DiffEntry(o, e, prefix + git_tree_entry_name(e), depth, out));
      }
    }
    if (old_tree) {
      for (size_t i = 0, n = git_tree_entrycount(old_tree); i < n; ++i) {
        const git_tree_entry* o = git_tree_entry_byindex(old_tree, i);
        if (new_tree && git_tree_entry_byname(new_tree, git_tree_entry_name(o))) continue;
        PG_RETURN_IF_ERROR(DiffEntry(o, nullptr, prefix + git_tree_entry_name(o), depth, out));
      }
    }
    return Status::Ok();
  }

  // Checks the time budget every few thousand tree entries: a single huge commit cannot outrun it.
  Status Tick() {
    if (++ticks_ % 4096 == 0 && std::chrono::steady_clock::now() > limits_.deadline) {
      return Status::Timeout("time budget spent while comparing trees");
    }
    return Status::Ok();
  }

  // One name that differs between the trees: o (old side) and e (new side) may be null.
  Status DiffEntry(const git_tree_entry* o, const git_tree_entry* e, const std::string& path, int depth,
                   std::vector<PathChange>* out) {
    bool o_tree = o && git_tree_entry_type(o) == GIT_OBJECT_TREE;
    bool e_tree = e && git_tree_entry_type(e) == GIT_OBJECT_TREE;
    if (o_tree || e_tree) {
      GitTree ot, et;
      if (o_tree) PG_RETURN_IF_ERROR(LookupTree(git_tree_entry_id(o), &ot));
      if (e_tree) PG_RETURN_IF_ERROR(LookupTree(git_tree_entry_id(e), &et));
      PG_RETURN_IF_ERROR(DiffTrees(ot.get(), et.get(), path + "/", depth + 1, out));
      // A file replaced by a directory (or the reverse): the file side changes too.
      if (o && !o_tree) out->push_back(Change('D', path, o, nullptr));
      if (e && !e_tree) out->push_back(Change('A', path, nullptr, e));
      return Status::Ok();
    }
    char status = !o ? 'A' : !e ? 'D' : (git_tree_entry_filemode(o) >> 12) != (git_tree_entry_filemode(e) >> 12) ? 'T' : 'M';
    out->push_back(Change(status, path, o, e));
    return Status::Ok();
  }

  static PathChange Change(char status, const std::string& path, const git_tree_entry* o, const git_tree_entry* e) {
    PathChange ch;
    ch.status = status;
    ch.path = path;
    ch.old_path = path;
    if (e) ch.blob = *git_tree_entry_id(e), ch.mode = git_tree_entry_filemode(e);
    if (o) ch.old_blob = *git_tree_entry_id(o);
    return ch;
  }

  // Turns an added path whose content equals a deleted path's into a rename of it (exact
  // renames; an edited move stays an add plus a delete, and both paths count as touched).
  static void PairExactRenames(std::vector<PathChange>* changes) {
    std::unordered_map<git_oid, size_t, GitOidHash, GitOidEqual> deleted;
    for (size_t i = 0; i < changes->size(); ++i) {
      if ((*changes)[i].status == 'D') deleted.emplace((*changes)[i].old_blob, i);
    }
    if (deleted.empty()) return;
    std::vector<bool> drop(changes->size(), false);
    for (auto& ch : *changes) {
      if (ch.status != 'A') continue;
      auto it = deleted.find(ch.blob);
      if (it == deleted.end() || drop[it->second]) continue;
      ch.status = 'R';
      ch.old_path = (*changes)[it->second].path;
      ch.old_blob = (*changes)[it->second].old_blob;
      drop[it->second] = true;
    }
    size_t w = 0;
    for (size_t r = 0; r < changes->size(); ++r) {
      if (drop[r]) continue;
      if (w != r) (*changes)[w] = std::move((*changes)[r]);  // never a self-move: it would empty the strings
      ++w;
    }
    changes->resize(w);
  }

  Status LookupTree(const git_oid* id, GitTree* out) {
    git_tree* t = nullptr;
    int rc = git_tree_lookup(&t, repo_.get(), id);
    if (rc != 0) return GitError("cannot read tree " + OidToHex(*id), rc);
    out->reset(t);
    return Status::Ok();
  }

  void AddBlob(const git_oid& id, BlobOccurrence occ) {
    if (only_blobs_ && !only_blobs_->count(id)) return;
    auto it = blob_index_.find(id);
    if (it != blob_index_.end()) {
      auto& b = model_.blobs[it->second];
      if (b.occurrences.size() < kMaxOccurrences) {
        b.occurrences.push_back(std::move(occ));
      } else {
        ++b.dropped_occurrences;
      }
      return;
    }
    if (static_cast<int64_t>(model_.blobs.size()) >= limits_.max_blobs) {
      if (!blob_limit_noted_) {
        model_.limit_notes.push_back("more than " + std::to_string(limits_.max_blobs) + " new files; the rest were not scanned");
        blob_limit_noted_ = true;
      }
      return;
    }
    BlobInput b;
    b.id = id;
    git_odb* odb = nullptr;
    if (git_repository_odb(&odb, repo_.get()) == 0) {
      size_t size = 0;
      git_object_t type;
      if (git_odb_read_header(&size, &type, odb, &id) == 0) b.size = size;
      git_odb_free(odb);
    }
    if (total_bytes_ + static_cast<int64_t>(b.size) > limits_.max_bytes) {
      if (!bytes_limit_noted_) {
        model_.limit_notes.push_back("the new files add up to more than " + std::to_string(limits_.max_bytes) +
                                     " bytes; the rest were not scanned");
        bytes_limit_noted_ = true;
      }
      return;
    }
    total_bytes_ += static_cast<int64_t>(b.size);
    b.occurrences.push_back(std::move(occ));
    blob_index_[id] = model_.blobs.size();
    model_.blobs.push_back(std::move(b));
  }

  const Repository& repo_;
  const PushLimits& limits_;
  const RefClasses& classes_;
  PushModel model_;
  std::unordered_map<git_oid, size_t, GitOidHash, GitOidEqual> commit_index_;
  std::unordered_map<git_oid, size_t, GitOidHash, GitOidEqual> blob_index_;
  std::set<std::string> seen_tags_;
  std::unordered_set<git_oid, GitOidHash, GitOidEqual> seen_trees_;
  bool tree_time_noted_ = false;
  uint64_t ticks_ = 0;
  bool blob_limit_noted_ = false;
  bool bytes_limit_noted_ = false;
  int64_t total_bytes_ = 0;
  bool hide_existing_refs_ = true;
  const std::unordered_set<git_oid, GitOidHash, GitOidEqual>* only_blobs_ = nullptr;
};

Result<git_oid> ResolveCommit(const Repository& repo, const std::string& spec) {
  auto commit = ResolveRevision(repo.get(), spec, GIT_OBJECT_COMMIT);
  if (!commit.ok()) return commit.status();
  return *git_object_id(commit->get());
}

}  // namespace

std::vector<std::string> PushedCommit::TouchedPaths() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& ch : changes) {
    if (seen.insert(ch.path).second) out.push_back(ch.path);
    if (ch.old_path != ch.path && seen.insert(ch.old_path).second) out.push_back(ch.old_path);
  }
  return out;
}

std::vector<std::string> PushModel::ChangedPaths(const RefInput& ref) const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (size_t ci : ref.commits) {
    for (const auto& ch : commits[ci].changes) {
      if (ch.status != 'D' && ch.mode != kGitlinkMode && seen.insert(ch.path).second) out.push_back(ch.path);
    }
  }
  return out;
}

Result<PushModel> BuildPushModel(const Repository& repo, const std::vector<RefUpdate>& updates,
                                 const PushLimits& limits, const RefClasses& classes) {
  Builder b(repo, limits, classes);
  for (const auto& u : updates) PG_RETURN_IF_ERROR(b.AddRef(u));
  PG_RETURN_IF_ERROR(b.AddQuarantineLeftovers());
  return b.Finish();
}

Result<PushModel> BuildRangeModel(const Repository& repo, const std::string& range, const std::string& label,
                                  const PushLimits& limits) {
  const RefClasses no_classes;
  Builder b(repo, limits, no_classes);
  auto dots = range.find("..");
  if (dots == std::string::npos) {
    auto tip = ResolveCommit(repo, range);
    if (!tip.ok()) return tip.status();
    PG_RETURN_IF_ERROR(b.AddRange(*tip, nullptr, label));
    return b.Finish();
  }
  if (range.find("...") != std::string::npos) return Status::InvalidArgument("symmetric ranges (A...B) are not supported");
  auto base = ResolveCommit(repo, range.substr(0, dots));
  auto tip = ResolveCommit(repo, range.substr(dots + 2).empty() ? "HEAD" : range.substr(dots + 2));
  if (!base.ok()) return base.status();
  if (!tip.ok()) return tip.status();
  PG_RETURN_IF_ERROR(b.AddRange(*tip, &*base, label));
  return b.Finish();
}

Result<PushModel> BuildProvenanceModel(const Repository& repo,
                                       const std::unordered_set<git_oid, GitOidHash, GitOidEqual>& blobs,
                                       const PushLimits& limits) {
  const RefClasses no_classes;
  Builder b(repo, limits, no_classes);
  b.RestrictTo(&blobs);
  PG_RETURN_IF_ERROR(b.AddWholeHistory("(history)"));
  return b.Finish();
}

}  // namespace pushgate
