#include "hooks/scan.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "hooks/checks.h"
#include "hooks/pack_order.h"
#include "hooks/platform.h"
#include "hooks/push_model.h"
#include "hooks/repository.h"
#include "hooks/secret_scan.h"

namespace pushgate {

namespace {

int ThreadCount(const ScanOptions& o) {
  if (o.threads > 0) return o.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

// Runs fn(thread, begin, end) over batches of [0, n), handed out in order so that neighbouring
// items (neighbours in a pack) are read by one thread close together in time.
template <typename Fn>
Status ParallelBatches(size_t n, int threads, size_t batch, Fn fn) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_error;
  auto worker = [&](int t) {
    Status s = fn(t, [&](size_t* begin, size_t* end) {
      *begin = next.fetch_add(batch);
      *end = std::min(n, *begin + batch);
      return *begin < n;
    });
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      if (first_error.ok()) first_error = s;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& th : pool) th.join();
  return first_error;
}

// Collects matches from several threads into one result.
class Collector {
 public:
  explicit Collector(const ScanOptions& o) : options_(o) {}

  void Add(const std::vector<scanner::SecretMatch>& matches, const std::string& path, const std::string& commit,
           const std::string& suffix) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& m : matches) {
      if (options_.baseline && options_.baseline->Contains(m.rule_id, m.secret)) continue;
      Finding f;
      f.rule = "secret/" + m.rule_id;
      f.commit = commit;
      f.path = path;
      f.line = static_cast<int>(m.line);
      f.message = m.rule_name + (m.in_decoded ? " (inside base64-encoded data)" : "") + suffix;
      f.redacted = m.redacted;
      result_.findings.push_back(std::move(f));
      result_.secrets.emplace_back(m.rule_id, m.secret);
    }
  }
  void Count(uint64_t bytes) {
    objects_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    if (options_.progress) {
      options_.progress->objects.fetch_add(1, std::memory_order_relaxed);
      options_.progress->bytes.fetch_add(bytes, std::memory_order_relaxed);
    }
  }
  ScanResult Finish() {
    result_.objects = objects_;
    result_.bytes = bytes_;
    std::sort(result_.findings.begin(), result_.findings.end(), [](const Finding& a, const Finding& b) {
      return std::tie(a.path, a.line, a.rule, a.commit) < std::tie(b.path, b.line, b.rule, b.commit);
    });
    return std::move(result_);
  }

 private:
  const ScanOptions& options_;
  std::mutex mu_;
  ScanResult result_;
  std::atomic<uint64_t> objects_{0}, bytes_{0};
};

// A read-only memory map of a file, unmapped on destruction.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) data_ = static_cast<const char*>(p);
    }
    close(fd);
  }
  ~MappedFile() {
    if (data_) munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view view() const { return data_ ? std::string_view(data_, size_) : std::string_view(); }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

std::string Relative(const std::filesystem::path& p, const std::filesystem::path& root) {
  std::string rel = p.lexically_relative(root).generic_string();
  return rel.empty() || rel == "." ? p.filename().string() : rel;
}

// Every blob reachable from the commits, with the first path and commit it was seen at.
struct BlobRef {
  git_oid id;
  uint64_t rank;
  std::string path;
  std::string commit;
};

class TreeCollector {
 public:
  explicit TreeCollector(git_repository* repo) : repo_(repo) {}

  Status AddCommit(const git_commit* commit) {
    commit_hex_ = OidToHex(*git_commit_id(commit));
    return AddTree(*git_commit_tree_id(commit), "");
  }
  // A tree or blob that a ref or tag points at directly.
  Status AddTarget(const git_oid& id, git_object_t type, const std::string& ref) {
    commit_hex_ = ref;
    if (type == GIT_OBJECT_TREE) return AddTree(id, "");
    if (type == GIT_OBJECT_BLOB && seen_blobs_.insert(id).second) blobs_.push_back({id, 0, "", ref});
    return Status::Ok();
  }
  std::vector<BlobRef>& blobs() { return blobs_; }

 private:
  Status AddTree(const git_oid& id, const std::string& prefix) {
    if (!seen_trees_.insert(id).second) return Status::Ok();
    git_tree* raw = nullptr;
    int rc = git_tree_lookup(&raw, repo_, &id);
    if (rc != 0) return GitError("cannot read tree " + OidToHex(id), rc);
    GitTree tree(raw);
    size_t n = git_tree_entrycount(raw);
    for (size_t i = 0; i < n; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(raw, i);
      std::string path = prefix + git_tree_entry_name(e);
      git_object_t type = git_tree_entry_type(e);
      if (type == GIT_OBJECT_TREE) {
        PG_RETURN_IF_ERROR(AddTree(*git_tree_entry_id(e), path + "/"));
      } else if (type == GIT_OBJECT_BLOB && seen_blobs_.insert(*git_tree_entry_id(e)).second) {
        blobs_.push_back({*git_tree_entry_id(e), 0, path, commit_hex_});
      }
    }
    return Status::Ok();
  }

  git_repository* repo_;
  std::string commit_hex_;
  std::unordered_set<git_oid, GitOidHash, GitOidEqual> seen_trees_, seen_blobs_;
  std::vector<BlobRef> blobs_;
};

Status ScanMessages(git_repository* repo, const scanner::Scanner& s, Collector* out) {
  git_revwalk* raw = nullptr;
  if (git_revwalk_new(&raw, repo) != 0) return GitError("cannot start a revision walk");
  GitRevwalk walk(raw);
  git_revwalk_push_glob(raw, "*");
  git_oid id;
  std::vector<scanner::SecretMatch> matches;
  while (git_revwalk_next(&id, raw) == 0) {
    git_commit* c = nullptr;
    if (git_commit_lookup(&c, repo, &id) != 0) continue;
    GitCommit commit(c);
    matches.clear();
    const char* msg = git_commit_message_raw(c);
    PG_RETURN_IF_ERROR(s.Scan(msg ? msg : "", "", &matches));
    out->Add(matches, "", OidToHex(id), " in the commit message");
  }
  return Status::Ok();
}

// Follows every ref through its annotated tags: scans each tag message once and hands the final
// target to `target` (commits are walked elsewhere; trees and blobs are content too).
Status ForEachRefTarget(git_repository* repo, const scanner::Scanner& s, bool scan_messages, Collector* out,
                        const std::function<Status(const git_oid&, git_object_t, const std::string&)>& target) {
  std::unordered_set<git_oid, GitOidHash, GitOidEqual> seen_tags;
  std::vector<scanner::SecretMatch> matches;
  return ForEachDirectReference(repo, [&](const std::string& name, const git_oid& start) {
    git_oid cur = start;
    for (int depth = 0; depth < 32; ++depth) {
      git_object* raw = nullptr;
      int rc = git_object_lookup(&raw, repo, &cur, GIT_OBJECT_ANY);
      if (rc != 0) return GitError("cannot read object " + OidToHex(cur) + " for " + name, rc);
      GitObject obj(raw);
      if (git_object_type(raw) != GIT_OBJECT_TAG) return target(cur, git_object_type(raw), name);
      auto* tag = reinterpret_cast<git_tag*>(raw);
      if (scan_messages && seen_tags.insert(cur).second) {
        matches.clear();
        const char* msg = git_tag_message(tag);
        PG_RETURN_IF_ERROR(s.Scan(msg ? msg : "", "", &matches));
        out->Add(matches, "", OidToHex(cur), " in the tag message");
      }
      cur = *git_tag_target_id(tag);
    }
    return Status::Corruption("tag chain too deep for " + name);
  });
}

// Scans a model (range or staged changes) with the hooks' secret checks.
Result<ScanResult> ScanModel(const Repository& repo, const PushModel& model, const scanner::Scanner& s,
                             const ScanOptions& options) {
  PushContext push;
  CheckContext ctx{*options.config, repo, model, push, std::chrono::steady_clock::time_point::max()};
  ScanResult r;
  PG_RETURN_IF_ERROR(CheckSecrets(ctx, s, options.baseline, &r.findings, &r.secrets));
  r.objects = model.blobs.size();
  for (const auto& b : model.blobs) r.bytes += b.size;
  return r;
}

}  // namespace

Result<ScanResult> ScanFiles(const std::string& root, const scanner::Scanner& s, const ScanOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path base = fs::absolute(root, ec);
  auto st = fs::symlink_status(base, ec);
  if (ec || !fs::exists(st)) return Status::NotFound(root + ": no such file or directory");
  std::vector<fs::path> files;
  if (fs::is_regular_file(st)) {
    files.push_back(base);
    base = base.parent_path();
  } else {
    for (auto it = fs::recursive_directory_iterator(base, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it->is_directory(ec) && it->path().filename() == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && !it->is_symlink(ec)) files.push_back(it->path());
    }
  }
  if (options.progress) options.progress->total_objects = files.size();
  Collector out(options);
  const uint64_t max_bytes = static_cast<uint64_t>(options.config->limits.max_blob_bytes);
  std::mutex skipped_mu;
  std::vector<std::string> skipped;
  Status st_scan = ParallelBatches(files.size(), ThreadCount(options), 64, [&](int, auto next) {
    std::vector<scanner::SecretMatch> matches;
    size_t b, e;
    while (next(&b, &e)) {
      for (size_t i = b; i < e; ++i) {
        std::string rel = Relative(files[i], base);
        MappedFile file(files[i].string());
        std::string_view data = file.view();
        if (data.size() > max_bytes) {
          std::lock_guard<std::mutex> lock(skipped_mu);
          skipped.push_back(rel);
          continue;
        }
        if (data.empty()) continue;
        matches.clear();
        PG_RETURN_IF_ERROR(s.Scan(data, rel, &matches));
        out.Add(matches, rel, "", "");
        out.Count(data.size());
      }
    }
    return Status::Ok();
  });
  if (!st_scan.ok()) return st_scan;
  ScanResult r = out.Finish();
  for (const auto& p : skipped) {
    Finding f;
    f.rule = "limits";
    f.severity = Severity::kWarning;
    f.path = p;
    f.message = "not scanned: larger than limits.max_blob_bytes";
    r.findings.push_back(std::move(f));
  }
  return r;
}

Result<ScanResult> ScanAllHistory(const std::string& repo_path, const scanner::Scanner& s, const ScanOptions& options) {
  BoundPackWindows();
  auto repo = Repository::Discover(repo_path);
  if (!repo.ok()) return repo.status();
  // Enumerate: every commit reachable from any ref, every tree once, every blob once.
  TreeCollector trees(repo->get());
  {
    git_revwalk* raw = nullptr;
    if (git_revwalk_new(&raw, repo->get()) != 0) return GitError("cannot start a revision walk");
    GitRevwalk walk(raw);
    git_revwalk_push_glob(raw, "*");
    git_oid id;
    while (git_revwalk_next(&id, raw) == 0) {
      git_commit* c = nullptr;
      int rc = git_commit_lookup(&c, repo->get(), &id);
      if (rc != 0) return GitError("cannot read commit " + OidToHex(id), rc);
      GitCommit commit(c);
      PG_RETURN_IF_ERROR(trees.AddCommit(c));
    }
  }
  Collector out(options);
  PG_RETURN_IF_ERROR(ForEachRefTarget(repo->get(), s, options.config->secrets.scan_messages, &out,
                                      [&](const git_oid& id, git_object_t type, const std::string& ref) {
                                        return type == GIT_OBJECT_COMMIT ? Status::Ok() : trees.AddTarget(id, type, ref);
                                      }));
  auto& blobs = trees.blobs();
  PackOrder order = PackOrder::Load(repo->git_dir());
  for (auto& b : blobs) b.rank = order.Rank(b.id);
  std::sort(blobs.begin(), blobs.end(), [](const BlobRef& a, const BlobRef& b) { return a.rank < b.rank; });
  if (options.progress) options.progress->total_objects = blobs.size();

  const uint64_t max_bytes = static_cast<uint64_t>(options.config->limits.max_blob_bytes);
  const std::string git_dir = repo->git_dir();
  // The fast pass scans each blob's content once, whatever its paths; the few blobs with matches
  // are traced afterwards (Nosey Parker's way) to the commits that introduced them and every path
  // they appear under, where path allowlists and "new or already present" are decided as in the
  // hooks.
  std::mutex flagged_mu;
  std::unordered_set<git_oid, GitOidHash, GitOidEqual> flagged;
  int threads = ThreadCount(options);
  // Large runs of neighbouring blobs per batch: a delta's base is usually just before it in the
  // pack, so a worker that read the base reads the delta from its own cache.
  const size_t batch = std::max<size_t>(512, blobs.size() / (static_cast<size_t>(threads) * 8) + 1);
  Status st = ParallelBatches(blobs.size(), threads, batch, [&](int, auto next) -> Status {
    // libgit2 objects are per thread: each worker opens its own repository.
    auto own = Repository::Discover(git_dir);
    if (!own.ok()) return own.status();
    git_odb* odb_raw = nullptr;
    if (git_repository_odb(&odb_raw, own->get()) != 0) return GitError("cannot open object database");
    GitOdb odb(odb_raw);
    std::vector<scanner::SecretMatch> matches;
    size_t b, e;
    while (next(&b, &e)) {
      for (size_t i = b; i < e; ++i) {
        size_t size = 0;
        git_object_t type;
        if (git_odb_read_header(&size, &type, odb_raw, &blobs[i].id) == 0 && size > max_bytes) continue;
        git_odb_object* obj = nullptr;
        int rc = git_odb_read(&obj, odb_raw, &blobs[i].id);
        if (rc != 0) return GitError("cannot read blob " + OidToHex(blobs[i].id), rc);
        GitOdbObject holder(obj);
        std::string_view data(static_cast<const char*>(git_odb_object_data(obj)), git_odb_object_size(obj));
        matches.clear();
        PG_RETURN_IF_ERROR(s.Scan(data, "", &matches));
        if (!matches.empty()) {
          std::lock_guard<std::mutex> lock(flagged_mu);
          flagged.insert(blobs[i].id);
        }
        out.Count(data.size());
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (options.config->secrets.scan_messages) PG_RETURN_IF_ERROR(ScanMessages(repo->get(), s, &out));
  ScanResult result = out.Finish();
  if (flagged.empty()) return result;
  PushLimits limits;
  limits.max_commits = options.config->limits.max_commits;
  auto traced = BuildProvenanceModel(*repo, flagged, limits);
  if (!traced.ok()) return traced.status();
  Config no_messages = *options.config;
  no_messages.secrets.scan_messages = false;  // commit and tag messages were scanned above
  ScanOptions o = options;
  o.config = &no_messages;
  auto found = ScanModel(*repo, *traced, s, o);
  if (!found.ok()) return found.status();
  for (auto& f : found->findings) {
    f.ref.clear();
    result.findings.push_back(std::move(f));
  }
  for (const auto& note : traced->limit_notes) {
    Finding f;
    f.rule = "limits";
    f.severity = LimitSeverity(options.config->limits);
    f.message = note;
    result.findings.push_back(std::move(f));
  }
  result.secrets.insert(result.secrets.end(), found->secrets.begin(), found->secrets.end());
  std::sort(result.findings.begin(), result.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.path, a.line, a.rule, a.commit) < std::tie(b.path, b.line, b.rule, b.commit);
  });
  return result;
}


Result<ScanResult> ScanRange(const std::string& repo_path, const std::string& range, const scanner::Scanner& s,
                             const ScanOptions& options) {
  auto repo = Repository::Discover(repo_path);
  if (!repo.ok()) return repo.status();
  PushLimits limits;
  limits.max_commits = options.config->limits.max_commits;
  limits.max_blobs = options.config->limits.max_blobs;
  auto model = BuildRangeModel(*repo, range, range, limits);
  if (!model.ok()) return model.status();
  return ScanModel(*repo, *model, s, options);
}

Result<ScanResult> ScanStaged(const std::string& path, const scanner::Scanner& s, const ScanOptions& options) {
  auto repo = Repository::Discover(path);
  if (!repo.ok()) return repo.status();
  git_index* index_raw = nullptr;
  int rc = git_repository_index(&index_raw, repo->get());
  if (rc != 0) return GitError("cannot read the index", rc);
  GitIndex index(index_raw);
  GitTree head_tree;
  git_object* head = nullptr;
  if (git_revparse_single(&head, repo->get(), "HEAD^{tree}") == 0) head_tree.reset(reinterpret_cast<git_tree*>(head));
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_IGNORE_SUBMODULES;
  git_diff* diff_raw = nullptr;
  if ((rc = git_diff_tree_to_index(&diff_raw, repo->get(), head_tree.get(), index_raw, &opts)) != 0) {
    return GitError("cannot compare the index with HEAD", rc);
  }
  GitDiff diff(diff_raw);
  git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
  find.flags = GIT_DIFF_FIND_RENAMES;
  git_diff_find_similar(diff_raw, &find);
  PushModel model;
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, repo->get()) != 0) return GitError("cannot open object database");
  GitOdb odb(odb_raw);
  for (size_t i = 0; i < git_diff_num_deltas(diff_raw); ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff_raw, i);
    if (d->status == GIT_DELTA_DELETED || d->new_file.mode == 0160000) continue;
    BlobInput b;
    b.id = d->new_file.id;
    size_t size = 0;
    git_object_t type;
    if (git_odb_read_header(&size, &type, odb_raw, &b.id) == 0) b.size = size;
    BlobOccurrence occ;
    occ.path = d->new_file.path;
    occ.parent_blobs = {d->status != GIT_DELTA_ADDED ? d->old_file.id : git_oid{}};
    occ.ref = "(staged)";
    b.occurrences.push_back(std::move(occ));
    model.blobs.push_back(std::move(b));
  }
  Config no_messages = *options.config;
  no_messages.secrets.scan_messages = false;  // the message does not exist yet
  ScanOptions o = options;
  o.config = &no_messages;
  auto r = ScanModel(*repo, model, s, o);
  if (r.ok()) {
    for (auto& f : r->findings) f.ref.clear();
  }
  return r;
}

}  // namespace pushgate
