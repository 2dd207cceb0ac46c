#include "hooks/doctor.h"

#include <fcntl.h>
#include <git2/sys/commit_graph.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "base/files.h"
#include "base/subprocess.h"
#include "config/config.h"
#include "hooks/git.h"
#include "hooks/referenced_files.h"
#include "hooks/repository.h"
#include "hooks/secret_scan.h"
#include "install/hook_locations.h"
#include "install/hook_wrapper.h"
#include "scanner/database_cache.h"

namespace pushgate {

namespace fs = std::filesystem;

namespace {

using Level = DoctorCheck::Level;
using GitConfigIterator = GitHandle<git_config_iterator, git_config_iterator_free>;
using GitCommitGraph = GitHandle<git_commit_graph, git_commit_graph_free>;

// The chunks libgit2 1.5.1 understands (it reads the bloom-filter chunks BIDX and BDAT and ignores
// them); it drops a commit-graph holding any other, such as GDA2 and GDO2 from generation-number v2
// or BASE from split graphs.
const std::set<std::string> kLibgit2GraphChunks = {"OIDF", "OIDL", "CDAT", "EDGE", "BIDX", "BDAT"};

DoctorCheck Check(std::string name, Level level, std::string detail, std::string fix = "") {
  return DoctorCheck{std::move(name), level, std::move(detail), std::move(fix)};
}

std::string Quote(const std::string& s) { return ShellQuote(s); }

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

bool IsDir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsRegular(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool IsExecutableFile(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0 && access(p.c_str(), X_OK) == 0;
}

std::string UserName() {
  struct passwd* pw = getpwuid(geteuid());
  return pw && pw->pw_name ? pw->pw_name : "uid " + std::to_string(geteuid());
}

// The repository as doctor sees it.
struct Repo {
  std::string git_dir;    // absolute
  std::string work_tree;  // empty for a bare repository
  // Directory git commands run in and relative config origins are resolved against.
  std::string cwd() const { return work_tree.empty() ? git_dir : work_tree; }
  // `git -C <dir>` prefix for the fixes doctor prints.
  std::string GitC() const { return "git -C " + Quote(cwd()); }
};

// Resolves path to a git directory without running git, so that a repository git itself refuses
// (an extension this git does not know) is still inspected.
Result<Repo> ResolveRepo(const std::string& path) {
  std::error_code ec;
  std::string abs = fs::weakly_canonical(fs::absolute(path.empty() ? "." : path), ec).string();
  if (ec) return Status::InvalidArgument(path + ": " + ec.message());
  Repo r;
  std::string dot_git = abs + "/.git";
  if (IsDir(dot_git)) {
    r.git_dir = dot_git;
    r.work_tree = abs;
    return r;
  }
  if (IsRegular(dot_git)) {  // a linked work tree or submodule: "gitdir: <path>"
    auto text = ReadFile(dot_git, 4096);
    if (text.ok() && text->rfind("gitdir: ", 0) == 0) {
      fs::path target = Trim(text->substr(8));
      if (target.is_relative()) target = fs::path(abs) / target;
      r.git_dir = fs::weakly_canonical(target, ec).string();
      r.work_tree = abs;
      if (!ec && IsDir(r.git_dir)) return r;
    }
    return Status::InvalidArgument(dot_git + ": not a valid gitdir file");
  }
  if (IsRegular(abs + "/HEAD") && IsDir(abs + "/objects") && IsDir(abs + "/refs")) {
    r.git_dir = abs;
    return r;
  }
  return Status::InvalidArgument(abs + ": not a Git repository (no .git, and no HEAD, objects/ and refs/)");
}

// Runs git in the repository with the caller's global configuration but none of the GIT_*
// variables that would point it at another repository.
Result<ProcessResult> RunGit(const Repo& repo, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions o;
  o.cwd = repo.cwd();
  o.unset_env = {"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
                 "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH", "GIT_INDEX_FILE"};
  o.timeout = std::chrono::seconds(30);
  return RunProcess(argv, o);
}

// A git configuration value with where it was set.
struct GitConfigValue {
  bool set = false;
  std::string value;
  std::string origin_file;  // absolute; empty when not set in a file (command line, environment)
  std::string error;        // git could not read the configuration
};

GitConfigValue ReadGitConfig(const Repo& repo, const std::string& key, const std::string& type) {
  GitConfigValue v;
  auto r = RunGit(repo, {"config", "--show-origin", "--type=" + type, "--get", key});
  if (!r.ok()) {
    v.error = r.status().message();
    return v;
  }
  if (r->exit_code == 1) return v;  // unset
  if (!r->ok()) {
    v.error = Trim(r->err.empty() ? "git config exited with " + std::to_string(r->exit_code) : r->err);
    return v;
  }
  std::string line = Trim(r->out);
  size_t tab = line.find('\t');
  std::string origin = tab == std::string::npos ? "" : line.substr(0, tab);
  v.value = tab == std::string::npos ? line : line.substr(tab + 1);
  v.set = true;
  if (origin.rfind("file:", 0) == 0) {
    fs::path f = origin.substr(5);
    if (f.is_relative()) f = fs::path(repo.cwd()) / f;
    v.origin_file = f.lexically_normal().string();
  }
  return v;
}

std::string OriginText(const GitConfigValue& v) {
  return v.origin_file.empty() ? "outside any config file" : "in " + v.origin_file;
}

// The `extensions.*` keys of the repository's own config file, read with libgit2 directly so that
// they are known even when the repository itself cannot be opened.
std::vector<std::pair<std::string, std::string>> RepositoryExtensions(const std::string& git_dir) {
  std::vector<std::pair<std::string, std::string>> out;
  git_config* raw = nullptr;
  if (git_config_open_ondisk(&raw, (git_dir + "/config").c_str()) != 0) return out;
  GitConfig cfg(raw);
  git_config_iterator* it_raw = nullptr;
  if (git_config_iterator_glob_new(&it_raw, cfg.get(), "^extensions\\.") != 0) return out;
  GitConfigIterator it(it_raw);
  git_config_entry* entry = nullptr;
  while (git_config_next(&entry, it.get()) == 0) {
    std::string name = entry->name, value = entry->value ? entry->value : "";
    std::transform(value.begin(), value.end(), value.begin(), ::tolower);
    out.emplace_back(name.substr(std::string("extensions.").size()), value);
  }
  return out;
}

std::string Libgit2Version() {
  int major = 0, minor = 0, rev = 0;
  git_libgit2_version(&major, &minor, &rev);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(rev);
}

void CheckRepository(const Repo& repo, std::vector<DoctorCheck>* out) {
  const std::string name = "repository";
  ObjectEnvironment env;
  env.git_dir = repo.git_dir;
  auto opened = Repository::OpenForHook(env);
  std::string lib = "libgit2 " + Libgit2Version();
  if (opened.ok()) {
    git_reference_iterator* it_raw = nullptr;
    int rc = git_reference_iterator_new(&it_raw, opened->get());
    size_t refs = 0;
    if (rc == 0) {
      GitReferenceIterator it(it_raw);
      git_reference* ref = nullptr;
      while ((rc = git_reference_next(&ref, it.get())) == 0) {
        GitReference owned(ref);
        ++refs;
      }
      if (rc == GIT_ITEROVER) rc = 0;
    }
    if (rc != 0) {
      out->push_back(Check(name, Level::kError, GitError(lib + " cannot list the references of " + repo.git_dir, rc).message(),
                           "check the references with `" + repo.GitC() + " for-each-ref` and `" + repo.GitC() +
                               " fsck`, and that the hook's user can read every file under " + repo.git_dir));
      return;
    }
    out->push_back(Check(name, Level::kOk,
                         std::string(repo.work_tree.empty() ? "bare repository " : "repository ") + repo.git_dir +
                             " opened with " + lib + " (SHA-1 object ids, " + std::to_string(refs) + " references)"));
    return;
  }

  std::string why = opened.status().message();
  for (const auto& [ext, value] : RepositoryExtensions(repo.git_dir)) {
    if (ext == "objectformat" && value != "sha1") {
      out->push_back(Check(name, Level::kError,
                           "the repository uses " + value + " object ids, which " + lib +
                               " cannot read: every push would be refused",
                           "serve this repository with SHA-1 object ids (create it with `git init --bare "
                           "--object-format=sha1` and push its history there), or build pushgate against a "
                           "libgit2 with SHA-256 support"));
      return;
    }
    if (ext == "refstorage" && value != "files") {
      out->push_back(Check(name, Level::kError,
                           "the references are stored as " + value + " (extensions.refStorage), which " + lib +
                               " refuses: every push would be refused (" + why + ")",
                           "migrate the references to the files backend: `" + repo.GitC() +
                               " refs migrate --ref-format=files` (git 2.46 or later)"));
      return;
    }
  }
  out->push_back(Check(name, Level::kError, lib + " cannot open the repository: " + why,
                       "check that the hook's user can read " + repo.git_dir + ", that `" + repo.GitC() +
                           " fsck` passes, and that core.repositoryformatversion and extensions.* name only what " +
                           lib + " supports"));
}

uint64_t BigEndian(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

std::string ChunkName(const unsigned char* p) {
  std::string s;
  bool printable = true;
  for (int i = 0; i < 4; ++i) printable = printable && p[i] >= 0x20 && p[i] < 0x7f;
  if (printable) return std::string(reinterpret_cast<const char*>(p), 4);
  static const char kHex[] = "0123456789abcdef";
  s = "0x";
  for (int i = 0; i < 4; ++i) {
    s += kHex[p[i] >> 4];
    s += kHex[p[i] & 15];
  }
  return s;
}

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

void CheckCommitGraph(const Repo& repo, std::vector<DoctorCheck>* out) {
  const std::string name = "commit-graph";
  const std::string objects = repo.git_dir + "/objects";
  const std::string file = objects + "/info/commit-graph";
  const std::string chain = objects + "/info/commit-graphs/commit-graph-chain";
  const std::string v1_fix = repo.GitC() + " config commitGraph.generationVersion 1 && " + repo.GitC() +
                             " commit-graph write --reachable";
  if (!PathExists(file)) {
    if (PathExists(chain)) {
      out->push_back(Check(name, Level::kWarning,
                           "only a split commit-graph (objects/info/commit-graphs/), which libgit2 does not read: "
                           "history walks parse every commit",
                           v1_fix + " (writes objects/info/commit-graph, which libgit2 reads)"));
    } else {
      out->push_back(Check(name, Level::kOk,
                           "none; history walks parse every commit, which is fine for small repositories (`" + v1_fix +
                               "` speeds up large ones)"));
    }
    return;
  }
  auto info = ReadCommitGraphInfo(file);
  if (!info.ok()) {
    out->push_back(Check(name, Level::kWarning, info.status().message() + "; libgit2 ignores it",
                         "rm " + Quote(file) + " && " + v1_fix));
    return;
  }
  std::vector<std::string> unknown;
  for (const auto& c : info->chunks) {
    if (!kLibgit2GraphChunks.count(c)) unknown.push_back(c);
  }
  InitLibgit2();
  git_commit_graph* raw = nullptr;
  int rc = git_commit_graph_open(&raw, objects.c_str());
  GitCommitGraph graph(raw);
  std::string chunks = "chunks " + Join(info->chunks, ", ");
  if (rc == 0) {
    out->push_back(Check(name, Level::kOk, "objects/info/commit-graph (" + chunks + ") is read by libgit2"));
    return;
  }
  const git_error* e = git_error_last();
  std::string refused = "libgit2 " + Libgit2Version() + " drops it (" +
                        (e && e->message ? e->message : "error " + std::to_string(rc)) + ")";
  std::string why;
  if (std::count(unknown.begin(), unknown.end(), "GDA2")) {
    why = "it holds generation-number v2 data (GDA2), which git 2.36 and later writes by default";
  } else if (!unknown.empty()) {
    why = "it holds chunks libgit2 does not know (" + Join(unknown, ", ") + ")";
  } else {
    why = "libgit2 refuses it";
  }
  out->push_back(Check(name, Level::kWarning,
                       "objects/info/commit-graph has " + chunks + "; " + why + ": " + refused +
                           ", so history walks parse every commit (about 20x slower on large histories)",
                       v1_fix));
}

// True when the hook file at path is run by git (a wrapper, or a delegating hook that runs
// <name>.d/*) and reaches pushgate.
bool Delegates(const std::string& hook, const std::string& name) {
  auto text = ReadFile(hook, 1 << 20);
  return text.ok() && (text->find("hookname}.d") != std::string::npos || text->find(name + ".d") != std::string::npos);
}

// True when a pushgate wrapper for `name` is where git runs hooks from: dir/<name> itself, or a
// delegating dir/<name> running dir/<name>.d/pushgate.
bool ActiveIn(const std::string& dir, const std::string& name) {
  std::string hook = dir + "/" + name;
  if (IsManagedHook(hook)) return true;
  return IsManagedHook(dir + "/" + name + ".d/pushgate") && IsExecutableFile(hook) && Delegates(hook, name);
}

// What the wrapper checks found, for the config check.
struct WrapperFindings {
  std::string config;     // --config of the first wrapper that passes one
  std::string config_from;
  bool any = false;
  bool gitlab_only = true;
  // Post-receive wrappers missing beside pushgate's pre-receive or update wrappers: where each
  // should be (as shown) and the install option that writes it.
  std::vector<std::pair<std::string, std::string>> missing_post_receive;
};

std::string InstallFix(const Repo& repo, const std::string& layout) {
  return "pushgate install " + layout + " " + Quote(layout == "--pre-commit" ? repo.work_tree : repo.git_dir);
}

void CheckWrapper(const Repo& repo, const std::string& path, const std::string& shown, const std::string& layout,
                  WrapperFindings* found, std::vector<DoctorCheck>* out) {
  const std::string name = "wrapper " + shown;
  found->any = true;
  if (layout != "--gitlab") found->gitlab_only = false;
  if (!IsExecutableFile(path)) {
    out->push_back(Check(name, Level::kError, "not executable: git and Gitea skip it, so pushes are not checked",
                         "chmod 755 " + Quote(path)));
    return;
  }
  auto text = ReadFile(path, 1 << 20);
  if (!text.ok()) {
    out->push_back(Check(name, Level::kError, text.status().message(), InstallFix(repo, layout)));
    return;
  }
  auto cmd = ParseWrapperCommand(*text);
  if (!cmd.ok()) {
    out->push_back(Check(name, Level::kError, cmd.status().message(), InstallFix(repo, layout)));
    return;
  }
  if (!IsExecutableFile(cmd->binary)) {
    std::string what = PathExists(cmd->binary) ? "is not an executable file" : "does not exist";
    out->push_back(Check(name, Level::kError,
                         "runs " + cmd->binary + ", which " + what + ": every push through this hook is refused",
                         "reinstall with the pushgate binary now in use: " + InstallFix(repo, layout)));
    return;
  }
  if (!cmd->config.empty() && found->config.empty()) {
    found->config = cmd->config;
    found->config_from = "passed by " + shown;
  }
  out->push_back(Check(name, Level::kOk,
                       "runs " + cmd->binary + (cmd->config.empty() ? "" : " --config " + cmd->config)));
}

// Gitea runs hooks/<name>.d/* only through the delegating hooks/<name> it writes.
void CheckGiteaDelegation(const Repo& repo, std::vector<DoctorCheck>* out) {
  for (const std::string name : {"pre-receive", "update", "post-receive"}) {
    if (!IsManagedHook(repo.git_dir + "/hooks/" + name + ".d/pushgate")) continue;
    std::string hook = repo.git_dir + "/hooks/" + name;
    std::string problem;
    if (!PathExists(hook)) {
      problem = "missing";
    } else if (!IsExecutableFile(hook)) {
      problem = "not executable";
    } else if (!Delegates(hook, name)) {
      problem = "does not run the scripts in hooks/" + name + ".d";
    }
    const std::string check = "gitea hooks/" + name;
    if (problem.empty()) {
      out->push_back(Check(check, Level::kOk, "runs hooks/" + name + ".d/*"));
    } else {
      out->push_back(Check(check, Level::kError,
                           "hooks/" + name + " is " + problem + ", so hooks/" + name + ".d/pushgate never runs",
                           "in Gitea's site administration, run \"Resynchronize pre-receive, update and post-receive "
                           "hooks of all repositories\" (or use " + InstallFix(repo, "--bare") + " on a plain server)"));
    }
  }
}

// core.hooksPath: git runs hooks from there instead of $GIT_DIR/hooks.
void CheckHooksPath(const Repo& repo, const GitConfigValue& hooks_path, const WrapperFindings& found,
                    std::vector<DoctorCheck>* out) {
  const std::string name = "core.hooksPath";
  if (!hooks_path.error.empty()) {
    out->push_back(Check(name, Level::kWarning, "git cannot read the configuration: " + hooks_path.error,
                         "run `" + repo.GitC() + " config --list --show-origin` and fix what it reports"));
    return;
  }
  if (!hooks_path.set) {
    out->push_back(Check(name, Level::kOk, "unset: git runs hooks from " + repo.git_dir + "/hooks"));
    return;
  }
  fs::path dir = hooks_path.value;
  if (dir.is_relative()) dir = fs::path(repo.cwd()) / dir;
  std::string effective = dir.lexically_normal().string();
  if (!effective.empty() && effective.back() == '/') effective.pop_back();
  std::string where = "set to " + hooks_path.value + " (" + OriginText(hooks_path) + "): git runs hooks from " +
                      effective + ", not from " + repo.git_dir + "/hooks";
  std::string unset = hooks_path.origin_file.empty()
                          ? "remove core.hooksPath from the git configuration the server runs with"
                          : "git config --file " + Quote(hooks_path.origin_file) + " --unset core.hooksPath";
  bool work_tree = !repo.work_tree.empty();
  bool active = work_tree ? ActiveIn(effective, "pre-commit") : ActiveIn(effective, "pre-receive");
  if (active) {
    out->push_back(Check(name, Level::kWarning, where + "; pushgate's wrapper is there, so the gate runs",
                         "keep pushgate's wrapper in " + effective + " (reinstalling into " + repo.git_dir +
                             "/hooks has no effect while the setting stays), or " + unset));
    return;
  }
  if (found.any && found.gitlab_only) {
    out->push_back(Check(name, Level::kWarning,
                         where + "; GitLab's Gitaly sets its own hooks path when it runs git, so custom_hooks/ "
                                 "still runs there, but plain git would not run pushgate",
                         unset));
    return;
  }
  out->push_back(Check(name, Level::kError, where + ", where no pushgate wrapper is: pushes are not checked",
                       unset + (work_tree ? "; or pushgate install --pre-commit " + Quote(repo.work_tree) +
                                                " (installs into core.hooksPath)"
                                          : "; or chain pushgate from " + effective + "/pre-receive")));
}

// Checks the wrappers of every layout (install/hook_locations.h) found in hooks_dir (shown as
// prefix + rel), and notes a layout whose pre-receive or update wrapper has no post-receive beside it.
void CheckLayoutWrappers(const Repo& repo, const std::vector<HookLayout>& layouts, const std::string& hooks_dir,
                         const std::string& prefix, WrapperFindings* found, std::vector<DoctorCheck>* out) {
  for (HookLayout layout : layouts) {
    bool gate = false;
    for (const HookLocation& location : HookLocations(layout)) {
      std::string path = hooks_dir + "/" + location.rel;
      if (!IsManagedHook(path)) continue;
      CheckWrapper(repo, path, prefix + location.rel, InstallOption(layout), found, out);
      gate = gate || location.kind == HookKind::kPreReceive || location.kind == HookKind::kUpdate;
    }
    std::string post_receive = HookRel(layout, HookKind::kPostReceive);
    if (gate && !post_receive.empty() && !IsManagedHook(hooks_dir + "/" + post_receive)) {
      found->missing_post_receive.emplace_back(prefix + post_receive, InstallOption(layout));
    }
  }
}

void CheckWrappers(const Repo& repo, const GitConfigValue& hooks_path, WrapperFindings* found,
                   std::vector<DoctorCheck>* out) {
  // The layouts inside the repository; a server-wide directory (--gitlab-server-hooks) is named
  // by Gitaly's configuration, which doctor does not read.
  std::vector<HookLayout> in_hooks;  // the layouts whose directory is GIT_DIR/hooks
  for (HookLayout layout : AllHookLayouts()) {
    std::string dir = HooksDirInGitDir(layout);
    if (dir.empty()) continue;
    if (dir == "hooks") in_hooks.push_back(layout);
    CheckLayoutWrappers(repo, {layout}, repo.git_dir + "/" + dir, dir + "/", found, out);
  }
  // Wrappers in a core.hooksPath directory outside the repository.
  if (hooks_path.set && hooks_path.error.empty()) {
    fs::path dir = hooks_path.value;
    if (dir.is_relative()) dir = fs::path(repo.cwd()) / dir;
    std::string d = dir.lexically_normal().string();
    if (!d.empty() && d.back() == '/') d.pop_back();
    if (d != repo.git_dir + "/hooks") CheckLayoutWrappers(repo, in_hooks, d, d + "/", found, out);
  }
  CheckGiteaDelegation(repo, out);
  if (!found->any) {
    bool work_tree = !repo.work_tree.empty();
    out->push_back(Check("hooks installed", Level::kError,
                         "no pushgate wrapper in hooks/, hooks/*.d/ or custom_hooks/*.d/: pushes are not checked",
                         work_tree ? "pushgate install --pre-commit " + Quote(repo.work_tree)
                                   : "pushgate install --bare|--gitea|--gitlab " + Quote(repo.git_dir) +
                                         " (the option for the server this repository belongs to)"));
  }
}

// Loads the configuration the hook would use; returns it when valid.
std::optional<Config> CheckConfig(const Repo& repo, const std::string& explicit_path, const WrapperFindings& found,
                                  std::vector<DoctorCheck>* out) {
  const std::string name = "config";
  std::string path, from;
  if (!explicit_path.empty()) {
    path = explicit_path;
    from = "given with --config";
  } else if (!found.config.empty()) {
    path = found.config;
    from = found.config_from;
  } else {
    path = LocateConfig("", repo.git_dir);
    const char* env = std::getenv("PUSHGATE_CONFIG");
    if (env && *env && path == env) {
      from = "from $PUSHGATE_CONFIG of this shell; the hook sees the server's environment";
    } else if (!path.empty()) {
      from = "found by the lookup order";
    }
  }
  auto cfg = LoadConfig(path);
  if (!cfg.ok()) {
    out->push_back(Check(name, Level::kError,
                         (path.empty() ? std::string("built-in defaults") : path) + " (" + from +
                             ") is invalid, so every push is refused:\n" + cfg.status().message(),
                         "correct the file and check it with `pushgate config check " + Quote(path) + "`"));
    return std::nullopt;
  }
  if (path.empty()) {
    out->push_back(Check(name, Level::kOk,
                         "no file (" + repo.git_dir + "/pushgate.yaml and /etc/pushgate/pushgate.yaml are absent): "
                         "built-in defaults, secret blocking only"));
  } else {
    out->push_back(Check(name, Level::kOk, path + " (" + from + ") is valid"));
  }
  return std::move(*cfg);
}

void CheckPushOptions(const Repo& repo, const Config& cfg, std::vector<DoctorCheck>* out) {
  const std::string name = "receive.advertisePushOptions";
  GitConfigValue v = ReadGitConfig(repo, "receive.advertisePushOptions", "bool");
  bool on = v.set && v.value == "true";
  bool breakglass = !cfg.breakglass.approvers.empty();
  std::string fix = repo.GitC() + " config receive.advertisePushOptions true (Gitea and GitLab set it in their own "
                                  "git configuration: run doctor with the server's HOME to see it)";
  if (!v.error.empty()) {
    out->push_back(Check(name, breakglass ? Level::kError : Level::kWarning, "unreadable: " + v.error, fix));
    return;
  }
  std::string state = v.set ? v.value + " (" + OriginText(v) + ")" : "unset (git's default: false)";
  if (on) {
    out->push_back(Check(name, Level::kOk, state + ": git push -o can carry break-glass tokens"));
  } else if (breakglass) {
    out->push_back(Check(name, Level::kError,
                         state + ": break-glass is configured, but `git push -o breakglass=...` fails with \"the "
                                 "receiving end does not support push options\", so no token can reach the hook",
                         fix));
  } else {
    out->push_back(Check(name, Level::kOk, state + "; only break-glass needs it, and it is not configured"));
  }
}

// Whether a file can be appended to (it exists), or created (its directory exists), by this user.
// Probes by opening for append or creating and removing a temporary file: permission bits say
// nothing when running as root, and a file standing where a directory should be says a lot.
Status ProbeWritableFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + " is not a regular file");
    int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return Status::IOError(path + ": cannot open for appending: " + std::strerror(errno));
    close(fd);
    return Status::Ok();
  }
  std::string dir = fs::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (!IsDir(dir)) return Status::NotFound("directory " + dir + " does not exist");
  std::string probe = dir + "/.pushgate-doctor-XXXXXX";
  int fd = mkstemp(probe.data());
  if (fd < 0) return Status::IOError("cannot create files in " + dir + ": " + std::strerror(errno));
  close(fd);
  unlink(probe.c_str());
  return Status::Ok();
}

Status ProbeWritableDir(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) {
    // Not there yet: the cache creates it with its parents, so the nearest existing ancestor decides.
    fs::path parent = fs::path(dir).parent_path();
    while (!parent.empty() && !PathExists(parent.string())) parent = parent.parent_path();
    if (parent.empty()) return Status::NotFound(dir + " does not exist");
    if (!IsDir(parent.string())) return Status::InvalidArgument(parent.string() + " is not a directory");
    return ProbeWritableFile(parent.string() + "/.probe");
  }
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(dir + " exists but is not a directory");
  return ProbeWritableFile(dir + "/.probe");
}

void CheckRuleCache(const Config& cfg, std::vector<DoctorCheck>* out) {
  if (!cfg.secrets.enabled) {
    out->push_back(Check("rule database", Level::kOk, "secret scanning is off (secrets.enabled: false)"));
    return;
  }
  std::string dir = cfg.secrets.cache_dir.empty() ? scanner::DefaultCacheDir() : cfg.secrets.cache_dir;
  std::string who = " (as user " + UserName() + (cfg.secrets.cache_dir.empty() ? ", from this shell's environment)" : ")");
  if (dir.empty()) {
    out->push_back(Check("rule cache", Level::kWarning,
                         "no cache directory" + who + " (HOME and XDG_CACHE_HOME unset): every hook run compiles the rules",
                         "set secrets.cache_dir in the config to a directory the hook's user owns"));
  } else {
    Status writable = ProbeWritableDir(dir);
    if (writable.ok()) {
      out->push_back(Check("rule cache", Level::kOk, dir + " is writable" + who));
    } else {
      out->push_back(Check("rule cache", Level::kWarning,
                           writable.message() + who + ": the compiled rules cannot be cached, so every hook run compiles them",
                           cfg.secrets.cache_dir.empty()
                               ? "make " + dir + " a directory the hook's user owns, or set secrets.cache_dir"
                               : "make secrets.cache_dir (" + dir + ") a directory the hook's user owns"));
    }
  }

  auto start = std::chrono::steady_clock::now();
  auto built = MakeScanner(cfg.secrets);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  if (!built.ok()) {
    out->push_back(Check("rule database", Level::kError,
                         "the secret rules do not load, so every push is refused: " + built.status().message(),
                         "fix or remove the rule file named above (secrets.extra_rules, secrets.disabled_rules), then "
                         "run `pushgate rules test`"));
    return;
  }
  const scanner::Scanner& s = **built;
  std::string rules = std::to_string(s.rules().rules.size()) + " rules";
  if (s.loaded_from_cache()) {
    out->push_back(Check("rule database", Level::kOk, rules + " loaded from the cache in " + std::to_string(ms) + " ms"));
  } else if (s.cache_warning().empty() && !dir.empty()) {
    out->push_back(Check("rule database", Level::kOk,
                         rules + ": no cached database for these rules, so doctor compiled it (" + std::to_string(ms) +
                             " ms) and stored it; hooks running as " + UserName() + " now load it"));
  } else {
    out->push_back(Check("rule database", Level::kWarning,
                         rules + ": not cached" + (s.cache_warning().empty() ? "" : " (" + s.cache_warning() + ")") +
                             ", so every hook run compiles the rules (" + std::to_string(ms) + " ms here)",
                         "give the hook's user a writable cache directory (secrets.cache_dir)"));
  }
}

void CheckWritable(const std::string& name, const std::string& path, const std::string& consequence,
                   std::vector<DoctorCheck>* out) {
  Status s = ProbeWritableFile(path);
  if (s.ok()) {
    out->push_back(Check(name, Level::kOk, path + " is writable (as user " + UserName() + ")"));
    return;
  }
  std::string dir = fs::path(path).parent_path().string();
  out->push_back(Check(name, Level::kError, s.message() + ": " + consequence,
                       "mkdir -p " + Quote(dir) + " and let the hook's user write there (chown it to that user)"));
}

// How to fix a referenced file that does not load, and what its failure costs, per key.
std::pair<std::string, std::string> ReferencedFileAdvice(const std::string& key) {
  if (key == "signers.allowed_signers") {
    return {"unsigned-commit checks cannot trust any key, so pushes touching live paths are refused",
            "create it in OpenSSH allowed_signers format (`principal ssh-ed25519 AAAA...`), or remove the key"};
  }
  if (key == "breakglass.approvers") {
    return {"no break-glass token can be accepted",
            "create it in allowed_signers format (`pushgate breakglass keygen` prints the line to add)"};
  }
  if (key == "signers.openpgp_keys" || key == "signers.gpg_fallback.keyring") {
    return {"OpenPGP signatures cannot be verified, so pushes touching live paths are refused",
            "export the trusted public keys there (`gpg --export --armor KEYID >FILE`), or remove the key"};
  }
  if (key == "secrets.baseline") {
    return {"the secret scan cannot run, so every push is refused",
            "write it with `pushgate scan --write-baseline FILE`, or remove the key"};
  }
  if (key == "secrets.extra_rules") {
    return {"the secret rules do not load, so every push is refused",
            "fix the rule file and test it with `pushgate rules test FILE`"};
  }
  return {"the policy cannot run, so pushes it applies to are refused",
          "install the program, or name it by absolute path or by a name on the hook's PATH"};
}

// Every file the configuration names, loaded as the hook loads it (hooks/referenced_files.h).
void CheckConfiguredFiles(const Config& cfg, std::vector<DoctorCheck>* out) {
  for (const ReferencedFileCheck& file : CheckEachReferencedFile(cfg)) {
    if (file.status.ok()) {
      out->push_back(Check(file.key, Level::kOk, file.path + " loads"));
      continue;
    }
    auto [consequence, fix] = ReferencedFileAdvice(file.key);
    std::string detail = file.status.message();
    if (detail.find(file.path) == std::string::npos) detail = file.path + ": " + detail;
    out->push_back(Check(file.key, Level::kError, detail + ": " + consequence, fix));
  }
}

void CheckBreakglass(const Config& cfg, std::vector<DoctorCheck>* out) {
  if (cfg.breakglass.approvers.empty()) return;
  CheckWritable("breakglass.used_tokens", cfg.breakglass.used_tokens,
                "used token ids cannot be recorded, so break-glass tokens are refused", out);
}

// The post-receive wrapper records which refs landed; break-glass tokens are spent only there.
void CheckPostReceive(const Repo& repo, const WrapperFindings& found, const Config& cfg,
                      std::vector<DoctorCheck>* out) {
  bool breakglass = !cfg.breakglass.approvers.empty();
  for (const auto& [shown, layout] : found.missing_post_receive) {
    const std::string name = "wrapper " + shown;
    if (breakglass) {
      out->push_back(Check(name, Level::kError,
                           "missing: pushgate does not learn which refs landed, so break-glass tokens "
                           "(breakglass.approvers) are never spent",
                           "install again to add it: " + InstallFix(repo, layout)));
    } else {
      out->push_back(Check(name, Level::kOk,
                           "missing (note): it records which refs landed, which only break-glass needs, and "
                           "break-glass is not configured; install again to add it: " + InstallFix(repo, layout)));
    }
  }
}

// Reads one shell word at s[*pos]: single-quoted runs, backslash escapes and plain characters up
// to unquoted whitespace. False on an unterminated quote.
bool ShellWord(const std::string& s, size_t* pos, std::string* word) {
  size_t i = *pos;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  word->clear();
  bool any = false;
  while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') {
    any = true;
    if (s[i] == '\'') {
      size_t end = s.find('\'', i + 1);
      if (end == std::string::npos) return false;
      *word += s.substr(i + 1, end - i - 1);
      i = end + 1;
    } else if (s[i] == '\\' && i + 1 < s.size()) {
      *word += s[i + 1];
      i += 2;
    } else {
      *word += s[i++];
    }
  }
  *pos = i;
  return any;
}

}  // namespace

const char* DoctorLevelName(DoctorCheck::Level level) {
  switch (level) {
    case Level::kOk: return "ok";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "?";
}

Result<WrapperCommand> ParseWrapperCommand(const std::string& script) {
  size_t marker = script.find(kWrapperMarker);
  if (marker == std::string::npos) return Status::Corruption("not a pushgate wrapper (no marker line)");
  std::istringstream lines(script.substr(marker));
  std::string line;
  std::getline(lines, line);  // the marker
  while (std::getline(lines, line)) {
    size_t pos = 0;
    if (line.rfind("exec '", 0) == 0) pos = 5;
    if (pos == 0 && line.rfind("'", 0) != 0) continue;
    WrapperCommand cmd;
    if (!ShellWord(line, &pos, &cmd.binary)) return Status::Corruption("the wrapper's command line is not valid quoting");
    std::string word;
    size_t next = pos;
    if (ShellWord(line, &next, &word) && word == "--config") {
      if (!ShellWord(line, &next, &cmd.config)) return Status::Corruption("the wrapper's --config has no valid path");
    }
    if (cmd.binary.empty()) return Status::Corruption("the wrapper runs an empty program name");
    return cmd;
  }
  return Status::Corruption("the wrapper has no command line running pushgate");
}

Result<CommitGraphInfo> ReadCommitGraphInfo(const std::string& path) {
  constexpr size_t kHeader = 8, kEntry = 12;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Status::NotFound(path + ": " + std::strerror(errno));
  uint64_t size = static_cast<uint64_t>(st.st_size);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open");
  // The table has at most 256 entries (the count is one byte), so this bounds the read.
  std::string head(kHeader + kEntry * 256, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  const auto* p = reinterpret_cast<const unsigned char*>(head.data());
  if (head.size() < kHeader) return Status::Corruption(path + ": truncated commit-graph header");
  if (head.compare(0, 4, "CGPH") != 0) return Status::Corruption(path + ": not a commit-graph (no CGPH signature)");
  CommitGraphInfo info;
  info.version = p[4];
  info.hash_version = p[5];
  int chunks = p[6];
  info.base_graphs = p[7];
  if (head.size() < kHeader + kEntry * (chunks + 1)) {
    return Status::Corruption(path + ": truncated chunk table (" + std::to_string(chunks) + " chunks)");
  }
  uint64_t last = kHeader + kEntry * (chunks + 1);
  for (int i = 0; i <= chunks; ++i) {
    const unsigned char* e = p + kHeader + kEntry * i;
    uint64_t offset = BigEndian(e + 4, 8);
    bool terminator = i == chunks;
    if (terminator != (BigEndian(e, 4) == 0)) {
      return Status::Corruption(path + ": chunk table entry " + std::to_string(i) +
                                (terminator ? " should end the table" : " has id 0 before the end"));
    }
    if (offset < last || offset > size) {
      return Status::Corruption(path + ": chunk " + std::to_string(i) + " offset " + std::to_string(offset) +
                                " is outside the file or out of order");
    }
    last = offset;
    if (!terminator) info.chunks.push_back(ChunkName(e));
  }
  return info;
}

Result<std::vector<DoctorCheck>> RunDoctor(const std::string& repo_path, const std::string& config_path) {
  auto repo = ResolveRepo(repo_path);
  if (!repo.ok()) return repo.status();
  std::vector<DoctorCheck> out;
  CheckRepository(*repo, &out);
  CheckCommitGraph(*repo, &out);

  GitConfigValue hooks_path = ReadGitConfig(*repo, "core.hooksPath", "path");
  WrapperFindings found;
  CheckWrappers(*repo, hooks_path, &found, &out);
  CheckHooksPath(*repo, hooks_path, found, &out);

  auto cfg = CheckConfig(*repo, config_path, found, &out);
  if (!cfg) return out;  // the remaining checks read the configuration
  CheckConfiguredFiles(*cfg, &out);
  CheckPushOptions(*repo, *cfg, &out);
  CheckRuleCache(*cfg, &out);
  if (!cfg->audit.log.empty()) {
    CheckWritable("audit.log", cfg->audit.log, "decisions cannot be recorded", &out);
  }
  CheckBreakglass(*cfg, &out);
  CheckPostReceive(*repo, found, *cfg, &out);
  return out;
}

int RunDoctorCommand(const std::string& repo, const std::string& config_path, bool quiet) {
  auto checks = RunDoctor(repo, config_path);
  if (!checks.ok()) {
    std::cerr << "pushgate: error: " << checks.status().message() << "\n";
    return 2;
  }
  int errors = 0, warnings = 0;
  for (const auto& c : *checks) {
    if (c.level == Level::kError) ++errors;
    if (c.level == Level::kWarning) ++warnings;
    if (quiet && c.level == Level::kOk) continue;
    std::string level = DoctorLevelName(c.level);
    std::string detail = c.detail;
    // Continuation lines (a config's error list) line up under the check.
    for (size_t nl = detail.find('\n'); nl != std::string::npos; nl = detail.find('\n', nl + 1)) {
      detail.insert(nl + 1, "    ");
    }
    std::cout << level << std::string(9 - level.size(), ' ') << c.name << ": " << detail << "\n";
    if (!c.fix.empty()) std::cout << "    fix: " << c.fix << "\n";
  }
  if (!quiet) {
    std::cout << errors << (errors == 1 ? " error, " : " errors, ") << warnings
              << (warnings == 1 ? " warning\n" : " warnings\n");
  }
  return errors > 0 ? 1 : 0;
}

}  // namespace pushgate
