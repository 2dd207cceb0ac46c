#include "hooks/repository.h"

#include <cstdlib>
#include <filesystem>

namespace pushgate {

namespace {

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
  return ec ? path : p.string();
}

// Undoes git's C-quoting of one alternates entry ("a\:b" style escapes and octal).
std::string Unquote(const std::string& s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return s;
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 2 >= s.size()) {
      out += c;
      continue;
    }
    char n = s[++i];
    switch (n) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'r': out += '\r'; break;
      case 'v': out += '\v'; break;
      default:
        if (n >= '0' && n <= '7' && i + 2 < s.size()) {
          out += static_cast<char>(((n - '0') << 6) | ((s[i + 1] - '0') << 3) | (s[i + 2] - '0'));
          i += 2;
        } else {
          out += n;
        }
    }
  }
  return out;
}

Status SanityCheckFormat(const std::string& git_dir) {
  GitConfig cfg;
  git_config* raw = nullptr;
  if (git_config_open_ondisk(&raw, (git_dir + "/config").c_str()) != 0) return Status::Ok();
  cfg.reset(raw);
  git_buf buf = GIT_BUF_INIT;
  if (git_config_get_string_buf(&buf, cfg.get(), "extensions.objectformat") == 0) {
    std::string fmt(buf.ptr, buf.size);
    git_buf_dispose(&buf);
    if (fmt != "sha1") {
      return Status::InvalidArgument("repository " + git_dir + " uses " + fmt +
                                     " object ids; this pushgate build reads SHA-1 repositories only");
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> SplitAlternates(const std::string& value) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '"' && cur.empty() && !quoted) {
      quoted = true;
      cur += c;
      continue;
    }
    if (quoted) {
      cur += c;
      if (c == '\\' && i + 1 < value.size()) {
        cur += value[++i];
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == ':') {
      if (!cur.empty()) out.push_back(Unquote(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!cur.empty()) out.push_back(Unquote(cur));
  return out;
}

ObjectEnvironment ObjectEnvironment::FromProcess() {
  ObjectEnvironment env;
  std::string git_dir = Getenv("GIT_DIR");
  env.git_dir = Absolute(git_dir.empty() ? "." : git_dir);
  std::string main_objects = Absolute(env.git_dir + "/objects");
  std::string quarantine = Getenv("GIT_QUARANTINE_PATH");
  if (quarantine.empty()) {
    std::string objdir = Getenv("GIT_OBJECT_DIRECTORY");
    if (!objdir.empty() && Absolute(objdir) != main_objects) quarantine = objdir;
  }
  if (!quarantine.empty()) env.quarantine = Absolute(quarantine);
  for (const auto& alt : SplitAlternates(Getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"))) {
    std::string abs = Absolute(alt);
    if (abs != main_objects && abs != env.quarantine) env.alternates.push_back(abs);
  }
  return env;
}

Result<Repository> Repository::OpenForHook(const ObjectEnvironment& env) {
  InitLibgit2();
  PG_RETURN_IF_ERROR(SanityCheckFormat(env.git_dir));
  Repository r;
  git_repository* raw = nullptr;
  int rc = git_repository_open_ext(&raw, env.git_dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  if (rc != 0) return GitError("cannot open repository " + env.git_dir, rc);
  r.repo_.reset(raw);
  r.git_dir_ = git_repository_path(raw);
  if (!r.git_dir_.empty() && r.git_dir_.back() == '/') r.git_dir_.pop_back();
  git_odb* odb = nullptr;
  if ((rc = git_repository_odb(&odb, raw)) != 0) return GitError("cannot open object database", rc);
  GitOdb odb_handle(odb);
  std::vector<std::string> extra = env.alternates;
  if (!env.quarantine.empty()) extra.insert(extra.begin(), env.quarantine);
  for (const auto& dir : extra) {
    if ((rc = git_odb_add_disk_alternate(odb, dir.c_str())) != 0) {
      return GitError("cannot add object directory " + dir, rc);
    }
  }
  if (!env.quarantine.empty()) {
    git_odb* q = nullptr;
    if ((rc = git_odb_open(&q, env.quarantine.c_str())) != 0) {
      return GitError("cannot open quarantine " + env.quarantine, rc);
    }
    r.quarantine_odb_.reset(q);
    git_odb* m = nullptr;
    if ((rc = git_odb_open(&m, (r.git_dir_ + "/objects").c_str())) != 0) {
      return GitError("cannot open the object database", rc);
    }
    r.main_odb_.reset(m);
  }
  return r;
}

Result<Repository> Repository::OpenFromEnv() {
  InitLibgit2();
  Repository r;
  git_repository* raw = nullptr;
  int rc = git_repository_open_ext(&raw, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr);
  if (rc != 0) return GitError("cannot open repository from the environment", rc);
  r.repo_.reset(raw);
  r.git_dir_ = git_repository_path(raw);
  return r;
}

Result<Repository> Repository::Discover(const std::string& path) {
  InitLibgit2();
  GitBuf found;
  int rc = git_repository_discover(&found.buf, path.c_str(), 0, nullptr);
  if (rc != 0) return GitError("not inside a git repository: " + path, rc);
  std::string git_dir(found.buf.ptr, found.buf.size);
  PG_RETURN_IF_ERROR(SanityCheckFormat(git_dir));
  Repository r;
  git_repository* raw = nullptr;
  if ((rc = git_repository_open(&raw, git_dir.c_str())) != 0) return GitError("cannot open " + git_dir, rc);
  r.repo_.reset(raw);
  r.git_dir_ = git_repository_path(raw);
  if (!r.git_dir_.empty() && r.git_dir_.back() == '/') r.git_dir_.pop_back();
  return r;
}

bool Repository::IsNewObject(const git_oid& oid) const {
  if (!quarantine_odb_) return true;
  return git_odb_exists(quarantine_odb_.get(), &oid) == 1 && git_odb_exists(main_odb_.get(), &oid) != 1;
}

Status Repository::ForEachQuarantineObject(const std::function<void(const git_oid&)>& fn) const {
  if (!quarantine_odb_) return Status::Ok();
  struct Ctx {
    const std::function<void(const git_oid&)>* fn;
  } ctx{&fn};
  int rc = git_odb_foreach(
      quarantine_odb_.get(),
      [](const git_oid* id, void* payload) {
        (*static_cast<Ctx*>(payload)->fn)(*id);
        return 0;
      },
      &ctx);
  if (rc != 0) return GitError("cannot list the quarantine", rc);
  return Status::Ok();
}

}  // namespace pushgate
