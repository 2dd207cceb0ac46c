// policies.external (SPEC §1.4): administrator-configured programs (conftest, checkov, OPA, any
// script) judge the files a push changes. For each policy and each updated ref, the changed files
// matching the policy's paths are written, in their version at the ref's new tip, into a fresh
// temporary directory; the command runs there without a shell, with empty stdin, a timeout and a
// documented environment, and a non-zero exit refuses the push ("external/<id>").
//
// The files are pushed content, so nothing about them is trusted: paths that would leave the
// directory ("..", absolute) or that Git itself treats specially (".git") are refused as findings,
// symlinks and submodules are not written, nothing on the way is followed, and the program is
// never looked up in that directory.
//
// Environment of the command: the hook's own, minus the variables that point Git at the
// repository being pushed to (so a policy program that runs git does not touch it), plus
//   PUSHGATE_POLICY      the policy id
//   PUSHGATE_REF         the full ref name
//   PUSHGATE_OLD         the ref's old object id (40 zeroes for a new ref)
//   PUSHGATE_NEW         the ref's new object id
//   PUSHGATE_PUSHER      the pusher's user name
//   PUSHGATE_REPOSITORY  the repository ("owner/name" on Gitea/GitLab, else its path)
//   PUSHGATE_FILES       the written files, relative to the working directory, one per line
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>
#include <utility>

#include "base/files.h"
#include "base/subprocess.h"
#include "base/unique_fd.h"
#include "hooks/checks.h"
#include "hooks/referenced_files.h"

namespace pushgate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxOutputBytes = 64 << 10;
constexpr size_t kMaxOutputLines = 200;
constexpr size_t kMaxLineBytes = 1000;  // one report line, short enough for Git's sideband packets

// Variables through which a program finds (and would modify) the repository of the push.
const std::vector<std::string> kRepositoryVariables = {
    "GIT_DIR",          "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH",
    "GIT_INDEX_FILE",   "GIT_WORK_TREE",        "GIT_COMMON_DIR",                   "GIT_PREFIX",
};

// A changed file as it is at the ref's new tip.
struct TipFile {
  std::string path;
  git_oid blob{};
  bool executable = false;
};

Finding PolicyFinding(const ExternalPolicy& policy, const RefInput& ref, const std::string& message) {
  Finding f;
  f.rule = "external/" + policy.id;
  f.ref = ref.update.ref;
  f.commit = ref.target_commit;
  f.message = message;
  return f;
}

// Why path cannot be written under the policy directory, or "" when it can. Git refuses such
// paths on checkout, but a receiving repository does not check trees unless receive.fsckObjects
// is set, so a push can carry them.
std::string UnsafePathReason(std::string_view path) {
  if (path.empty()) return "the path is empty";
  if (path.front() == '/') return "the path is absolute";
  for (unsigned char c : path) {
    // PUSHGATE_FILES separates paths by newlines; other control characters are refused with them.
    if (c < 0x20 || c == 0x7f) return "the path contains a control character";
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty()) return "the path has an empty component";
    if (part == "." || part == "..") return "the path contains '" + std::string(part) + "'";
    std::string lower(part);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    // A ".git" directory in the policy's working directory would be a repository with pushed
    // configuration (core.fsmonitor runs commands) for any policy program that runs git.
    if (lower == ".git") return "the path contains a '.git' component";
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return "";
}


// Creates root/path with content, making the directories on the way. Nothing is followed: every
// component is opened with O_NOFOLLOW and the file must not exist yet.
Status WriteUnder(const std::string& root, const std::string& path, std::string_view content, bool executable) {
  UniqueFd dir(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return Status::IOError(root + ": " + strerror(errno));
  size_t start = 0;
  for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', start)) {
    std::string part = path.substr(start, slash - start);
    if (mkdirat(dir.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::IOError(path.substr(0, slash) + ": " + strerror(errno));
    }
    UniqueFd next(openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return Status::IOError(path.substr(0, slash) + ": " + strerror(errno));
    dir = std::move(next);
    start = slash + 1;
  }
  std::string name = path.substr(start);
  UniqueFd file(openat(dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                       executable ? 0755 : 0644));
  if (!file.valid()) return Status::IOError(path + ": " + strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t w = write(file.get(), content.data() + done, content.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Status::IOError(path + ": " + strerror(errno));
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

// The command's output as note lines: stdout then stderr, capped in bytes, lines and line length,
// control characters other than tab replaced so the pusher's terminal shows only text.
std::vector<std::string> OutputNotes(const std::string& id, const std::string& out, const std::string& err) {
  std::string text = out;
  if (!text.empty() && text.back() != '\n' && !err.empty()) text += '\n';
  text += err;
  bool cut = false;
  if (text.size() > kMaxOutputBytes) {
    text.resize(kMaxOutputBytes);
    cut = true;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  std::vector<std::string> notes;
  if (text.empty()) return notes;
  const std::string prefix = "external/" + id + ": ";
  size_t start = 0;
  while (start <= text.size()) {
    if (notes.size() == kMaxOutputLines) {
      cut = true;
      break;
    }
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > kMaxLineBytes) line = line.substr(0, kMaxLineBytes) + " [...]";
    for (char& c : line) {
      unsigned char u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) c = '?';
    }
    notes.push_back(prefix + line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  if (cut) {
    notes.push_back(prefix + "(output cut at " + std::to_string(kMaxOutputLines) + " lines or " +
                    std::to_string(kMaxOutputBytes >> 10) + " KiB)");
  }
  return notes;
}

// The changed files of `ref` that `policy` looks at, as they are at the ref's tip. Unsafe paths
// become findings and are left out.
Result<std::vector<TipFile>> SelectFiles(const CheckContext& ctx, const ExternalPolicy& policy, const RefInput& ref,
                                         git_tree* tree, std::vector<Finding>* out) {
  std::vector<TipFile> files;
  for (const auto& path : ctx.model.ChangedPaths(ref)) {
    if (!policy.path_globs.empty() && !policy.path_globs.Matches(path)) continue;
    git_tree_entry* entry_raw = nullptr;
    int rc = git_tree_entry_bypath(&entry_raw, tree, path.c_str());
    if (rc == GIT_ENOTFOUND) continue;  // deleted or replaced by a directory at the tip
    if (rc != 0) return GitError("reading " + path + " at " + ref.target_commit, rc);
    GitTreeEntry entry(entry_raw);
    git_filemode_t mode = git_tree_entry_filemode(entry_raw);
    // Submodules have no content here; a symlink's content is its target, which is not a file of
    // the repository, so neither is given to the command.
    if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) continue;
    std::string reason = UnsafePathReason(path);
    if (!reason.empty()) {
      Finding f = PolicyFinding(policy, ref, "cannot give this file to the policy command: " + reason);
      f.path = path;
      out->push_back(std::move(f));
      continue;
    }
    files.push_back({path, *git_tree_entry_id(entry_raw), mode == GIT_FILEMODE_BLOB_EXECUTABLE});
  }
  return files;
}

// Writes files under dir. Files over limits.max_blob_bytes are not written and reported per
// limits.on_limit, like every other limit.
Status WriteFiles(const CheckContext& ctx, const ExternalPolicy& policy, const RefInput& ref,
                  const std::vector<TipFile>& files, const std::string& dir, std::vector<Finding>* out,
                  std::vector<std::string>* written) {
  git_odb* odb_raw = nullptr;
  if (int rc = git_repository_odb(&odb_raw, ctx.repo.get()); rc != 0) return GitError("opening the object database", rc);
  GitOdb odb(odb_raw);
  for (const auto& file : files) {
    if (Clock::now() > ctx.deadline) return Status::Timeout("limits.timeout_seconds passed while writing the files");
    size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (int rc = git_odb_read_header(&size, &type, odb_raw, &file.blob); rc != 0) {
      return GitError("reading " + file.path, rc);
    }
    if (static_cast<int64_t>(size) > ctx.config.limits.max_blob_bytes) {
      Finding f = PolicyFinding(policy, ref, "file is " + std::to_string(size) + " bytes, over limits.max_blob_bytes (" +
                                                 std::to_string(ctx.config.limits.max_blob_bytes) +
                                                 "); not given to the policy command");
      f.path = file.path;
      f.severity = LimitSeverity(ctx.config.limits);
      out->push_back(std::move(f));
      continue;
    }
    git_blob* blob_raw = nullptr;
    if (int rc = git_blob_lookup(&blob_raw, ctx.repo.get(), &file.blob); rc != 0) return GitError("reading " + file.path, rc);
    GitBlob blob(blob_raw);
    std::string_view content(static_cast<const char*>(git_blob_rawcontent(blob_raw)),
                             static_cast<size_t>(git_blob_rawsize(blob_raw)));
    PG_RETURN_IF_ERROR(WriteUnder(dir, file.path, content, file.executable));
    written->push_back(file.path);
  }
  return Status::Ok();
}

// Runs one policy over one ref.
void RunPolicy(const CheckContext& ctx, const ExternalPolicy& policy, const RefInput& ref, git_tree* tree,
               std::vector<Finding>* out, std::vector<std::string>* notes) {
  auto files = SelectFiles(ctx, policy, ref, tree, out);
  if (!files.ok()) {
    out->push_back(PolicyFinding(policy, ref, "cannot read the changed files: " + files.status().message()));
    return;
  }
  if (files->empty()) return;

  auto not_run = [&](const std::string& why, Severity severity = Severity::kError) {
    Finding f = PolicyFinding(policy, ref, "policy command not run: " + why);
    f.severity = severity;
    out->push_back(std::move(f));
  };
  const Severity limit_severity = LimitSeverity(ctx.config.limits);

  TempDir dir("pushgate-external");
  if (dir.path().empty()) return not_run(std::string("cannot create a temporary directory: ") + strerror(errno));
  std::vector<std::string> written;
  if (Status s = WriteFiles(ctx, policy, ref, *files, dir.path(), out, &written); !s.ok()) {
    return not_run("cannot write the files: " + s.message(),
                   s.code() == Status::Code::kTimeout ? limit_severity : Severity::kError);
  }
  if (written.empty()) return;

  auto program = ResolvePolicyProgram(policy.command.front(), ctx.config.source);
  if (!program.ok()) return not_run(program.status().message());

  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline - Clock::now());
  if (left.count() <= 0) return not_run("limits.timeout_seconds passed before it could start", limit_severity);
  const std::chrono::milliseconds own = std::chrono::seconds(policy.timeout_seconds);
  const bool budget_binds = left < own;

  std::string file_list;
  for (const auto& p : written) file_list += (file_list.empty() ? "" : "\n") + p;
  ProcessOptions options;
  options.cwd = dir.path();
  options.unset_env = kRepositoryVariables;
  options.set_env = {
      {"PUSHGATE_POLICY", policy.id},       {"PUSHGATE_REF", ref.update.ref},
      {"PUSHGATE_OLD", ref.update.old_oid}, {"PUSHGATE_NEW", ref.update.new_oid},
      {"PUSHGATE_PUSHER", ctx.push.pusher}, {"PUSHGATE_REPOSITORY", ctx.push.repository},
      {"PUSHGATE_FILES", file_list},
  };
  options.timeout = std::min(own, left);
  options.max_output_bytes = kMaxOutputBytes;

  std::vector<std::string> argv = policy.command;
  argv.front() = *program;
  auto result = RunProcess(argv, options);
  if (!result.ok()) return not_run("cannot start '" + policy.command.front() + "': " + result.status().message());
  const ProcessResult& r = *result;

  // RunProcess's child reports a failed exec on stderr with status 127: that is the program not
  // starting, not its verdict, so its message replaces the output.
  if (!r.timed_out && r.exit_code == 127 && r.err.rfind("cannot run " + *program + ":", 0) == 0) {
    std::string why = r.err.substr(std::string("cannot run ").size());
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return not_run("cannot start " + why);
  }
  for (auto& line : OutputNotes(policy.id, r.out, r.err)) notes->push_back(std::move(line));
  if (r.timed_out) {
    if (budget_binds) {
      Finding f = PolicyFinding(policy, ref, "policy command was stopped when limits.timeout_seconds (" +
                                                 std::to_string(ctx.config.limits.timeout_seconds) +
                                                 " s) for the whole push ran out");
      f.severity = limit_severity;
      out->push_back(std::move(f));
    } else {
      out->push_back(PolicyFinding(policy, ref, "policy command did not finish within " +
                                                    std::to_string(policy.timeout_seconds) + " s"));
    }
  } else if (r.signal != 0) {
    out->push_back(PolicyFinding(policy, ref, "policy command was killed by signal " + std::to_string(r.signal)));
  } else if (r.exit_code != 0) {
    out->push_back(PolicyFinding(policy, ref, "policy command exited with status " + std::to_string(r.exit_code)));
  }
}

}  // namespace

void CheckExternalPolicies(const CheckContext& ctx, std::vector<Finding>* out, std::vector<std::string>* notes) {
  const auto& policies = ctx.config.policies.external;
  if (policies.empty()) return;
  for (const auto& ref : ctx.model.refs) {
    if (ref.update.is_delete() || ref.target_commit.empty() || ref.commits.empty()) continue;
    auto tip = OidFromHex(ref.target_commit);
    git_commit* commit_raw = nullptr;
    git_tree* tree_raw = nullptr;
    int rc = tip.ok() ? git_commit_lookup(&commit_raw, ctx.repo.get(), &*tip) : -1;
    GitCommit commit(commit_raw);
    if (rc == 0) rc = git_tree_lookup(&tree_raw, ctx.repo.get(), git_commit_tree_id(commit_raw));
    GitTree tree(tree_raw);
    for (const auto& policy : policies) {
      if (rc != 0) {
        out->push_back(PolicyFinding(policy, ref, "cannot read the tree of the new tip: " +
                                                      GitError(ref.target_commit, rc).message()));
        continue;
      }
      RunPolicy(ctx, policy, ref, tree_raw, out, notes);
    }
  }
}

}  // namespace pushgate
