#include "hooks/object_checks.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace pushgate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr unsigned kTypeMask = 0170000;
constexpr unsigned kDir = 0040000;
constexpr unsigned kLink = 0120000;
constexpr unsigned kGitlink = 0160000;
constexpr size_t kMaxEntryName = 4096;            // Git's fsck.largeTreeEntryName default
constexpr size_t kMaxGitmodulesBytes = 1 << 20;   // a larger .gitmodules is refused unparsed
constexpr size_t kMaxFindingsPerObject = 10;      // then one "and N more" line
constexpr size_t kMaxFindings = 200;              // per push

bool IsDir(unsigned mode) { return (mode & kTypeMask) == kDir; }
bool IsLink(unsigned mode) { return (mode & kTypeMask) == kLink; }

// name[i], or NUL past the end (Git's functions read NUL-terminated strings).
char At(std::string_view s, size_t i) { return i < s.size() ? s[i] : '\0'; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// Git's is_ntfs_dot_generic: ".<needle>" in any case, its 6-character short name "~1".."~4", or the
// fall-back short name `<prefix>~<digits>`, each followed only by spaces and periods up to the
// end or a ':' (an alternate data stream).
bool IsNtfsDotGeneric(std::string_view name, std::string_view needle, std::string_view shortname_prefix) {
  auto only_spaces_and_periods = [&](size_t i) {
    for (;; ++i) {
      char c = At(name, i);
      if (c == '\0' || c == ':') return true;
      if (c != ' ' && c != '.') return false;
    }
  };
  if (At(name, 0) == '.' && name.size() >= needle.size() + 1 && EqualsNoCase(name.substr(1, needle.size()), needle)) {
    return only_spaces_and_periods(needle.size() + 1);
  }
  if (name.size() >= 8 && EqualsNoCase(name.substr(0, 6), needle.substr(0, 6)) && name[6] == '~' && name[7] >= '1' &&
      name[7] <= '4') {
    return only_spaces_and_periods(8);
  }
  bool saw_tilde = false;
  for (size_t i = 0; i < 8; ++i) {
    char c = At(name, i);
    if (c == '\0') return false;
    if (saw_tilde) {
      if (c < '0' || c > '9') return false;
    } else if (c == '~') {
      ++i;
      char d = At(name, i);
      if (d < '1' || d > '9') return false;
      saw_tilde = true;
    } else if (i >= 6) {
      return false;
    } else if (static_cast<unsigned char>(c) & 0x80) {
      return false;
    } else if (std::tolower(static_cast<unsigned char>(c)) != shortname_prefix[i]) {
      return false;
    }
  }
  return only_spaces_and_periods(8);
}

// Decodes one UTF-8 character at s[*i]; nullopt for malformed UTF-8 (overlong, surrogate, too large,
// truncated). At the end of s it yields 0.
std::optional<uint32_t> NextUtf8(std::string_view s, size_t* i) {
  if (*i >= s.size()) return 0;
  unsigned char c = static_cast<unsigned char>(s[*i]);
  if (c < 0x80) {
    ++*i;
    return c;
  }
  int len;
  uint32_t cp;
  uint32_t min;
  if ((c & 0xe0) == 0xc0) {
    len = 2, cp = c & 0x1f, min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3, cp = c & 0x0f, min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (*i + len > s.size()) return std::nullopt;
  for (int k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc & 0xc0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  *i += len;
  return cp;
}

// Git's next_hfs_char: the next code point HFS+ does not ignore.
std::optional<uint32_t> NextHfsChar(std::string_view s, size_t* i) {
  for (;;) {
    auto c = NextUtf8(s, i);
    if (!c) return std::nullopt;
    switch (*c) {
      case 0x200c: case 0x200d: case 0x200e: case 0x200f:
      case 0x202a: case 0x202b: case 0x202c: case 0x202d: case 0x202e:
      case 0x206a: case 0x206b: case 0x206c: case 0x206d: case 0x206e: case 0x206f:
      case 0xfeff:
        continue;
      default:
        return c;
    }
  }
}

bool IsHfsDotGeneric(std::string_view name, std::string_view needle) {
  size_t i = 0;
  auto c = NextHfsChar(name, &i);
  if (!c || *c != '.') return false;
  for (char n : needle) {
    c = NextHfsChar(name, &i);
    if (!c || *c > 127 || std::tolower(static_cast<int>(*c)) != n) return false;
  }
  c = NextHfsChar(name, &i);
  return c && (*c == 0 || *c == '/');
}

bool IsGitmodulesName(std::string_view name) { return IsHfsDotGitmodules(name) || IsNtfsDotGitmodules(name); }

// Parses the octal mode of a tree entry the way Git's decode_tree_mode does.
std::optional<unsigned> ParseMode(std::string_view digits) {
  if (digits.empty() || digits.size() > 7) return std::nullopt;
  unsigned mode = 0;
  for (char c : digits) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = (mode << 3) + static_cast<unsigned>(c - '0');
  }
  return mode;
}

bool IsLessThanSlash(char c) { return c != '\0' && c < '/'; }

enum class Order { kOk, kUnordered, kDuplicate };

// Git's verify_ordered: tree entries sort as if directory names ended in '/'. `candidates` holds
// non-directory names that a later directory of the same name would duplicate.
Order VerifyOrdered(unsigned mode1, std::string_view name1, unsigned mode2, std::string_view name2,
                    std::vector<std::string_view>* candidates) {
  size_t len = std::min(name1.size(), name2.size());
  int cmp = name1.substr(0, len).compare(name2.substr(0, len));
  if (cmp < 0) return Order::kOk;
  if (cmp > 0) return Order::kUnordered;
  char c1 = At(name1, len), c2 = At(name2, len);
  if (!c1 && !c2) return Order::kDuplicate;
  if (!c1 && IsDir(mode1)) c1 = '/';
  if (!c2 && IsDir(mode2)) c2 = '/';
  if (!c1 && IsLessThanSlash(c2)) {
    candidates->push_back(name1);
  } else if (c2 == '/' && IsLessThanSlash(c1)) {
    while (!candidates->empty()) {
      std::string_view f = candidates->back();
      candidates->pop_back();
      if (name2.substr(0, f.size()) != f) continue;
      char p = At(name2, f.size());
      if (p == '\0') return Order::kDuplicate;
      if (IsLessThanSlash(p)) {
        candidates->push_back(f);
        break;
      }
    }
  }
  return static_cast<unsigned char>(c1) < static_cast<unsigned char>(c2) ? Order::kOk : Order::kUnordered;
}

// Git's verify_headers: the header must end with an empty line or at least a final newline, and
// contain no NUL. A non-empty result means the rest cannot be read safely.
std::optional<std::string> VerifyHeaders(std::string_view raw) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\0') return "unterminated header: NUL at offset " + std::to_string(i);
    if (raw[i] == '\n' && i + 1 < raw.size() && raw[i + 1] == '\n') return std::nullopt;
  }
  if (!raw.empty() && raw.back() == '\n') return std::nullopt;
  return std::string("unterminated header");
}

bool IsHexOid(std::string_view s) {
  if (s.size() != GIT_OID_HEXSZ) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Reads one header line "<key> <value>\n" at *pos; nullopt when the line does not start with key.
std::optional<std::string_view> Header(std::string_view raw, size_t* pos, std::string_view key) {
  if (*pos >= raw.size() || raw.substr(*pos, key.size() + 1) != std::string(key) + " ") return std::nullopt;
  size_t start = *pos + key.size() + 1;
  size_t nl = raw.find('\n', start);
  if (nl == std::string_view::npos) nl = raw.size();  // VerifyHeaders makes this unreachable
  *pos = nl + 1;
  return raw.substr(start, nl - start);
}

// Git's fsck_ident over one author/committer/tagger value (the text after "author ").
std::optional<std::string> CheckIdent(std::string_view v) {
  const std::string bad = "invalid author/committer line - ";
  size_t p = 0;
  if (At(v, 0) == '<') return bad + "missing space before email";
  for (;; ++p) {
    if (p >= v.size()) return bad + "missing email";
    if (v[p] == '>') return bad + "bad name";
    if (v[p] == '<') break;
  }
  if (p == 0 || v[p - 1] != ' ') return bad + "missing space before email";
  for (++p;; ++p) {
    if (p >= v.size() || v[p] == '<') return bad + "bad email";
    if (v[p] == '>') break;
  }
  ++p;
  if (At(v, p) != ' ') return bad + "missing space before date";
  ++p;
  while (At(v, p) == ' ' || At(v, p) == '\t') ++p;
  if (!std::isdigit(static_cast<unsigned char>(At(v, p)))) return bad + "bad date";
  if (At(v, p) == '0' && At(v, p + 1) != ' ') return bad + "zero-padded date";
  uint64_t t = 0;
  bool overflow = false;
  while (std::isdigit(static_cast<unsigned char>(At(v, p)))) {
    unsigned d = static_cast<unsigned>(At(v, p) - '0');
    if (t > (static_cast<uint64_t>(INT64_MAX) - d) / 10) overflow = true;
    else t = t * 10 + d;
    ++p;
  }
  if (overflow) return bad + "date causes integer overflow";
  if (At(v, p) != ' ') return bad + "bad date";
  ++p;
  char sign = At(v, p);
  if ((sign != '+' && sign != '-') || v.size() != p + 5 ||
      !std::all_of(v.begin() + static_cast<std::ptrdiff_t>(p) + 1, v.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    return bad + "bad time zone";
  }
  return std::nullopt;
}

std::vector<ObjectProblem> One(std::string what) { return {ObjectProblem{"", std::move(what)}}; }

// ---- .gitmodules as Git config ----

// A bounded reader of Git's config syntax, enough to find every submodule.<name>.<key> = value the
// way Git's own parser does (sections with quoted subsections, comments, quoted values, escapes,
// backslash-newline continuations). Stops at the first syntax error, as Git does.
class GitConfigReader {
 public:
  explicit GitConfigReader(std::string_view text) : s_(text) {}

  // Calls fn(section, subsection, key, value, has_value) per variable; false at a syntax error.
  template <typename Fn>
  bool Read(Fn fn) {
    std::string section, subsection;
    bool has_subsection = false;
    for (;;) {
      int c = Get();
      if (c == kEnd) return true;
      if (c == '\n' || c == ' ' || c == '\t' || c == '\r') continue;
      if (c == '#' || c == ';') {
        SkipLine();
        continue;
      }
      if (c == '[') {
        if (!ReadSectionHeader(&section, &subsection, &has_subsection)) return false;
        continue;
      }
      if (!std::isalpha(c)) return false;
      std::string key(1, static_cast<char>(std::tolower(c)));
      for (;;) {
        c = Peek();
        if (c != kEnd && (std::isalnum(c) || c == '-')) {
          key += static_cast<char>(std::tolower(Get()));
        } else {
          break;
        }
      }
      while (Peek() == ' ' || Peek() == '\t') Get();
      c = Peek();
      std::string value;
      bool has_value = false;
      if (c == '=') {
        Get();
        if (!ReadValue(&value)) return false;
        has_value = true;
      } else if (c == '\n' || c == kEnd || c == '#' || c == ';' || c == '\r') {
        SkipLine();
      } else {
        return false;
      }
      if (section.empty()) return false;
      fn(section, has_subsection ? std::optional<std::string>(subsection) : std::nullopt, key, value, has_value);
    }
  }

 private:
  static constexpr int kEnd = -1;
  int Get() { return pos_ < s_.size() ? static_cast<unsigned char>(s_[pos_++]) : kEnd; }
  int Peek() const { return pos_ < s_.size() ? static_cast<unsigned char>(s_[pos_]) : kEnd; }
  void SkipLine() {
    int c;
    while ((c = Get()) != kEnd && c != '\n') {
    }
  }

  bool ReadSectionHeader(std::string* section, std::string* subsection, bool* has_subsection) {
    section->clear();
    subsection->clear();
    *has_subsection = false;
    for (;;) {
      int c = Get();
      if (c == kEnd) return false;
      if (c == ']') return !section->empty();
      if (c == ' ' || c == '\t') {
        while (Peek() == ' ' || Peek() == '\t') Get();
        if (Get() != '"') return false;
        *has_subsection = true;
        for (;;) {
          c = Get();
          if (c == kEnd || c == '\n') return false;
          if (c == '"') break;
          if (c == '\\') {
            c = Get();
            if (c == kEnd || c == '\n') return false;
          }
          *subsection += static_cast<char>(c);
        }
        return Get() == ']' && !section->empty();
      }
      if (c == '.') {
        // Old syntax [section.subsection]: the rest, lower-cased, is the subsection.
        *has_subsection = true;
        for (;;) {
          c = Get();
          if (c == kEnd || c == '\n') return false;
          if (c == ']') return !section->empty();
          if (!std::isalnum(c) && c != '-' && c != '.') return false;
          *subsection += static_cast<char>(std::tolower(c));
        }
      }
      if (!std::isalnum(c) && c != '-') return false;
      *section += static_cast<char>(std::tolower(c));
    }
  }

  bool ReadValue(std::string* out) {
    bool quoted = false;
    size_t trailing_space = 0;  // unquoted whitespace at the end, dropped
    bool started = false;
    for (;;) {
      int c = Get();
      if (c == kEnd || c == '\n') {
        if (quoted) return false;
        out->resize(out->size() - trailing_space);
        return true;
      }
      if (!quoted && (c == ';' || c == '#')) {
        SkipLine();
        out->resize(out->size() - trailing_space);
        return true;
      }
      if (!quoted && (c == ' ' || c == '\t' || c == '\r')) {
        if (started) {
          *out += static_cast<char>(c);
          ++trailing_space;
        }
        continue;
      }
      started = true;
      if (c == '\\') {
        c = Get();
        switch (c) {
          case '\n': continue;
          case 't': c = '\t'; break;
          case 'b': c = '\b'; break;
          case 'n': c = '\n'; break;
          case '\\': case '"': break;
          default: return false;
        }
        *out += static_cast<char>(c);
        trailing_space = 0;
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
        continue;
      }
      *out += static_cast<char>(c);
      trailing_space = 0;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool StartsWithDotSlash(std::string_view s) { return At(s, 0) == '.' && (At(s, 1) == '/' || At(s, 1) == '\\'); }
bool StartsWithDotDotSlash(std::string_view s) {
  return At(s, 0) == '.' && At(s, 1) == '.' && (At(s, 2) == '/' || At(s, 2) == '\\');
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Git's check_submodule_url, without URL normalisation: an option-like URL, a newline once
// percent-decoded, or a relative URL whose "../" climb ends at ':' or '/' (CVE-2020-11008).
bool BadSubmoduleUrl(std::string_view url) {
  if (At(url, 0) == '-') return true;
  if (PercentDecode(url).find('\n') != std::string::npos) return true;
  if (StartsWithDotSlash(url) || StartsWithDotDotSlash(url)) {
    int dotdots = 0;
    for (;;) {
      if (StartsWithDotDotSlash(url)) {
        ++dotdots;
        url.remove_prefix(3);
      } else if (StartsWithDotSlash(url)) {
        url.remove_prefix(2);
      } else {
        break;
      }
    }
    if (dotdots > 0 && (At(url, 0) == ':' || At(url, 0) == '/')) return true;
  }
  return false;
}

// Git's check_submodule_name: not empty, no ".." path component.
bool BadSubmoduleName(std::string_view name) {
  if (name.empty()) return true;
  size_t start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/' || name[i] == '\\') {
      if (name.substr(start, i - start) == "..") return true;
      start = i + 1;
    }
  }
  return false;
}

// ---- walking the push ----

struct RawObject {
  git_object_t type = GIT_OBJECT_INVALID;
  std::string data;
};

}  // namespace

// Declared in the header for PushObjectCheck; its helpers stay private to this file.
class ObjectChecker {
 public:
  ObjectChecker(const Config& config, const Repository& repo, Clock::time_point deadline, std::vector<Finding>* out)
      : config_(config), repo_(repo), deadline_(deadline), out_(out) {}

  Status Open() {
    git_odb* raw = nullptr;
    int rc = git_repository_odb(&raw, repo_.get());
    if (rc != 0) return GitError("cannot open the object database", rc);
    odb_.reset(raw);
    return Status::Ok();
  }

  void SetRefs(const PushModel* model) {
    if (!model) return;
    for (const auto& r : model->refs) {
      for (size_t i : r.commits) {
        if (i < model->commits.size()) ref_of_.emplace(model->commits[i].hex, r.update.ref);
      }
    }
  }

  // With a quarantine: every new commit with the trees its changes reach, every other new tree
  // (one no new commit reaches), every new tag.
  Status CheckQuarantine() {
    std::vector<git_oid> ids;
    PG_RETURN_IF_ERROR(repo_.ForEachQuarantineObject([&](const git_oid& id) { ids.push_back(id); }));
    std::vector<git_oid> commits, trees, tags;
    size_t done = 0;
    for (const auto& id : ids) {
      if (OutOfTime(ids.size() - done)) return Status::Ok();
      ++done;
      if (!repo_.IsNewObject(id)) continue;
      size_t len = 0;
      git_object_t type = GIT_OBJECT_INVALID;
      int rc = git_odb_read_header(&len, &type, odb_.get(), &id);
      if (rc != 0) {
        Unreadable(id, "", "", rc);
        continue;
      }
      if (type == GIT_OBJECT_COMMIT) commits.push_back(id);
      else if (type == GIT_OBJECT_TREE) trees.push_back(id);
      else if (type == GIT_OBJECT_TAG) tags.push_back(id);
    }
    for (size_t i = 0; i < commits.size(); ++i) {
      if (OutOfTime(commits.size() - i + trees.size() + tags.size())) return Status::Ok();
      CheckCommitAndChanges(commits[i]);
      if (stopped_) return Status::Ok();
    }
    for (size_t i = 0; i < trees.size(); ++i) {
      if (OutOfTime(trees.size() - i + tags.size())) return Status::Ok();
      if (!checked_trees_.count(trees[i])) WalkTree(trees[i], nullptr, "");
      if (stopped_) return Status::Ok();
    }
    for (size_t i = 0; i < tags.size(); ++i) {
      if (OutOfTime(tags.size() - i)) return Status::Ok();
      CheckTag(tags[i]);
    }
    return Status::Ok();
  }

  // The annotated tags the model's refs point at, and the commits of the model (those the push
  // makes reachable, which may already have been in the object store, unchecked) with the trees
  // their changes reach.
  Status CheckModel(const PushModel& model) {
    CheckRefTags(model);
    for (size_t i = 0; i < model.commits.size(); ++i) {
      if (OutOfTime(model.commits.size() - i)) return Status::Ok();
      CheckCommitAndChanges(model.commits[i].id);
      if (stopped_) return Status::Ok();
    }
    return Status::Ok();
  }

  // Checks a commit, then its tree wherever it differs from its first parent's (the whole tree
  // for a root commit): every tree and `.gitmodules` the commit's changes reach.
  void CheckCommitAndChanges(const git_oid& id) {
    if (!checked_commits_.insert(id).second) return;
    git_oid tree{}, parent{};
    bool has_parent = false;
    if (!CheckCommit(id, &tree, &parent, &has_parent)) return;
    git_oid parent_tree{};
    bool has_parent_tree = false;
    if (has_parent) {
      RawObject p;
      if (Read(parent, &p) == 0 && p.type == GIT_OBJECT_COMMIT) {
        auto hex = TreeLine(p.data);
        if (hex && git_oid_fromstrn(&parent_tree, hex->data(), hex->size()) == 0) has_parent_tree = true;
      }
    }
    if (!has_parent_tree || !git_oid_equal(&tree, &parent_tree)) {
      WalkTree(tree, has_parent_tree ? &parent_tree : nullptr, OidToHex(id));
    }
  }

 private:
  bool OutOfTime(size_t remaining) {
    if (stopped_) return true;
    if ((++ticks_ & 31) != 1 || Clock::now() <= deadline_) return false;  // the clock every 32 steps, from the first
    stopped_ = true;
    Finding f;
    f.rule = "limits";
    f.severity = LimitSeverity(config_.limits);
    f.message = "the object checks ran out of time (limits.timeout_seconds) with about " + std::to_string(remaining) +
                " objects not checked" +
                (f.severity == Severity::kError ? " (limits.on_limit: reject)" : " (limits.on_limit: allow)");
    out_->push_back(std::move(f));
    return true;
  }

  int Read(const git_oid& id, RawObject* obj) {
    git_odb_object* raw = nullptr;
    int rc = git_odb_read(&raw, odb_.get(), &id);
    if (rc != 0) return rc;
    GitOdbObject holder(raw);
    obj->type = git_odb_object_type(raw);
    obj->data.assign(static_cast<const char*>(git_odb_object_data(raw)), git_odb_object_size(raw));
    return 0;
  }

  static std::optional<std::string_view> TreeLine(std::string_view data) {
    size_t pos = 0;
    auto v = Header(data, &pos, "tree");
    if (!v || !IsHexOid(*v)) return std::nullopt;
    return v;
  }

  void Add(const std::string& commit, std::string path, std::string message) {
    if (out_->size() >= start_size_ + kMaxFindings) {
      ++suppressed_;
      return;
    }
    Finding f;
    f.rule = "object";
    f.severity = Severity::kError;
    f.commit = commit;
    auto ref = ref_of_.find(commit);
    if (ref != ref_of_.end()) f.ref = ref->second;
    f.path = std::move(path);
    f.message = std::move(message);
    out_->push_back(std::move(f));
  }

  void Unreadable(const git_oid& id, const std::string& commit, const std::string& path, int rc) {
    const git_error* e = git_error_last();
    Add(commit, path,
        "object " + OidToHex(id) + " cannot be read (" + std::string(e && e->message ? e->message : "error " + std::to_string(rc)) +
            "): the push is refused rather than left unchecked");
  }

  void AddProblems(const std::string& kind, const git_oid& id, const std::string& commit, const std::string& base_path,
                   const std::vector<ObjectProblem>& problems) {
    size_t n = 0;
    for (const auto& p : problems) {
      if (++n > kMaxFindingsPerObject) {
        Add(commit, base_path,
            kind + " " + OidToHex(id) + ": and " + std::to_string(problems.size() - kMaxFindingsPerObject) + " more problems");
        break;
      }
      std::string path = p.entry.empty() ? base_path : (base_path.empty() ? p.entry : base_path + "/" + p.entry);
      Add(commit, path, kind + " " + OidToHex(id) + ": " + p.what);
    }
  }

  // Reads and checks a commit; its tree and first parent go to the out parameters. False when the
  // commit could not be read or is too malformed to name its tree.
  bool CheckCommit(const git_oid& id, git_oid* tree, git_oid* parent, bool* has_parent = nullptr) {
    std::string hex = OidToHex(id);
    RawObject obj;
    int rc = Read(id, &obj);
    if (rc != 0) {
      Unreadable(id, hex, "", rc);
      return false;
    }
    if (obj.type != GIT_OBJECT_COMMIT) return false;
    AddProblems("commit", id, hex, "", CheckCommitBuffer(obj.data));
    auto t = TreeLine(obj.data);
    if (!t || git_oid_fromstrn(tree, t->data(), t->size()) != 0) return false;
    if (parent) {
      size_t pos = 0;
      Header(obj.data, &pos, "tree");
      auto p = Header(obj.data, &pos, "parent");
      if (p && IsHexOid(*p) && git_oid_fromstrn(parent, p->data(), p->size()) == 0 && has_parent) *has_parent = true;
    }
    return true;
  }

  // Checks a tag object; `ref` names the ref it was pushed to, when known. The tagged object goes
  // to `target` when the tag names one.
  void CheckTag(const git_oid& id, const std::string& ref = "", git_oid* target = nullptr) {
    if (!checked_tags_.insert(id).second) return;
    RawObject obj;
    int rc = Read(id, &obj);
    if (rc != 0) {
      Unreadable(id, "", "", rc);
      return;
    }
    size_t before = out_->size();
    AddProblems("tag", id, "", "", CheckTagBuffer(obj.data));
    for (size_t i = before; i < out_->size(); ++i) (*out_)[i].ref = ref;
    if (target) {
      size_t pos = 0;
      auto o = Header(obj.data, &pos, "object");
      if (o && IsHexOid(*o)) git_oid_fromstrn(target, o->data(), o->size());
    }
  }

  // The annotated tags the refs of the model now point at (a chain of tags peeled, at most 16
  // deep): with a quarantine the new ones are already checked; without one, this is where.
  void CheckRefTags(const PushModel& model) {
    for (const auto& r : model.refs) {
      auto id = OidFromHex(r.update.new_oid);
      if (!id.ok() || git_oid_is_zero(&*id)) continue;
      git_oid cur = *id;
      for (int depth = 0; depth < 16; ++depth) {
        size_t len = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (git_odb_read_header(&len, &type, odb_.get(), &cur) != 0 || type != GIT_OBJECT_TAG) break;
        git_oid next{};
        CheckTag(cur, r.update.ref, &next);
        if (git_oid_is_zero(&next)) break;
        cur = next;
      }
    }
  }

  void CheckGitmodules(const git_oid& id, const std::string& commit, const std::string& path) {
    if (!checked_blobs_.insert(id).second) return;
    size_t len = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    int rc = git_odb_read_header(&len, &type, odb_.get(), &id);
    if (rc != 0) {
      Unreadable(id, commit, path, rc);
      return;
    }
    if (type != GIT_OBJECT_BLOB) {
      Add(commit, path, ".gitmodules " + OidToHex(id) + " is not a blob");
      return;
    }
    if (len > kMaxGitmodulesBytes) {
      Add(commit, path, "blob " + OidToHex(id) + ": .gitmodules too large to check (" + std::to_string(len) + " bytes)");
      return;
    }
    RawObject obj;
    if ((rc = Read(id, &obj)) != 0) {
      Unreadable(id, commit, path, rc);
      return;
    }
    AddProblems("blob", id, commit, path, CheckGitmodulesBuffer(obj.data));
  }

  // Checks the tree at `root` and, depth first, every subtree that differs from the entry of the
  // same name in `before` (the same tree in the parent commit, or null: everything). A tree new in
  // the push always differs from what its parent had; one the store already held is checked too
  // when the commit puts it at a new place, since holding it does not mean it was checked.
  void WalkTree(const git_oid& root, const git_oid* before, const std::string& commit) {
    struct Item {
      git_oid id;
      std::optional<git_oid> before;
      std::string path;
    };
    std::vector<Item> stack;
    stack.push_back(Item{root, before ? std::optional<git_oid>(*before) : std::nullopt, ""});
    while (!stack.empty()) {
      if (OutOfTime(stack.size())) return;
      Item item = std::move(stack.back());
      stack.pop_back();
      if (!checked_trees_.insert(item.id).second) continue;
      RawObject obj;
      int rc = Read(item.id, &obj);
      if (rc != 0) {
        Unreadable(item.id, commit, item.path, rc);
        continue;
      }
      if (obj.type != GIT_OBJECT_TREE) {
        Add(commit, item.path, "object " + OidToHex(item.id) + " is listed as a tree but is not one");
        continue;
      }
      std::vector<RawTreeEntry> entries;
      AddProblems("tree", item.id, commit, item.path, CheckTreeBuffer(obj.data, &entries));
      std::unordered_map<std::string, git_oid> old;
      if (item.before) {
        RawObject prev;
        if (Read(*item.before, &prev) == 0 && prev.type == GIT_OBJECT_TREE) {
          std::vector<RawTreeEntry> prev_entries;
          CheckTreeBuffer(prev.data, &prev_entries);
          for (auto& e : prev_entries) old.emplace(std::move(e.name), e.id);
        }
      }
      for (const auto& e : entries) {
        std::string path = item.path.empty() ? e.name : item.path + "/" + e.name;
        auto o = old.find(e.name);
        const git_oid* was = o == old.end() ? nullptr : &o->second;
        if (IsDir(e.mode)) {
          if (was == nullptr || !git_oid_equal(was, &e.id)) {
            stack.push_back(Item{e.id, was ? std::optional<git_oid>(*was) : std::nullopt, path});
          }
        } else if (!IsLink(e.mode) && (e.mode & kTypeMask) != kGitlink && IsGitmodulesName(e.name)) {
          if (was == nullptr || !git_oid_equal(was, &e.id)) CheckGitmodules(e.id, commit, path);
        }
      }
    }
  }

 public:
  void Finish() {
    if (suppressed_ == 0) return;
    Finding f;
    f.rule = "object";
    f.message = "and " + std::to_string(suppressed_) + " more object problems";
    out_->push_back(std::move(f));
  }

 private:
  const Config& config_;
  const Repository& repo_;
  Clock::time_point deadline_;
  std::vector<Finding>* out_;
  size_t start_size_ = out_->size();
  size_t suppressed_ = 0;
  GitOdb odb_;
  std::unordered_map<std::string, std::string> ref_of_;  // commit hex -> a ref that receives it
  std::unordered_set<git_oid, GitOidHash, GitOidEqual> checked_commits_, checked_trees_, checked_blobs_, checked_tags_;
  uint64_t ticks_ = 0;
  bool stopped_ = false;
};

bool IsNtfsDotGit(std::string_view name) {
  size_t i = 0;
  auto lower = [&](size_t k) { return static_cast<char>(std::tolower(static_cast<unsigned char>(At(name, k)))); };
  if (At(name, 0) == '.') {
    if (lower(1) != 'g' || lower(2) != 'i' || lower(3) != 't') return false;
    i = 4;
  } else if (lower(0) == 'g') {
    if (lower(1) != 'i' || lower(2) != 't' || At(name, 3) != '~' || At(name, 4) != '1') return false;
    i = 5;
  } else {
    return false;
  }
  for (;; ++i) {
    char c = At(name, i);
    if (c == '\0' || c == '/' || c == '\\' || c == ':') return true;
    if (c != '.' && c != ' ') return false;
  }
}

bool IsHfsDotGit(std::string_view name) { return IsHfsDotGeneric(name, "git"); }
bool IsNtfsDotGitmodules(std::string_view name) { return IsNtfsDotGeneric(name, "gitmodules", "gi7eba"); }
bool IsHfsDotGitmodules(std::string_view name) { return IsHfsDotGeneric(name, "gitmodules"); }

std::vector<ObjectProblem> CheckTreeBuffer(std::string_view raw, std::vector<RawTreeEntry>* entries) {
  std::vector<ObjectProblem> problems;
  std::vector<std::string_view> candidates;
  bool has_prev = false;
  unsigned prev_mode = 0;
  std::string_view prev_name;  // points into raw, as do the candidates
  bool unsorted = false;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t sp = raw.find(' ', pos);
    size_t nul = sp == std::string_view::npos ? sp : raw.find('\0', sp + 1);
    if (sp == std::string_view::npos || nul == std::string_view::npos || nul + 1 + GIT_OID_RAWSZ > raw.size()) {
      problems.push_back({"", "cannot be parsed as a tree"});
      break;
    }
    std::string_view digits = raw.substr(pos, sp - pos);
    std::string_view name = raw.substr(sp + 1, nul - sp - 1);
    auto mode = ParseMode(digits);
    if (!mode) {
      problems.push_back({"", "cannot be parsed as a tree (bad mode '" + std::string(digits.substr(0, 16)) + "')"});
      break;
    }
    RawTreeEntry e;
    e.mode = *mode;
    e.name = std::string(name);
    git_oid_fromraw(&e.id, reinterpret_cast<const unsigned char*>(raw.data() + nul + 1));
    pos = nul + 1 + GIT_OID_RAWSZ;

    const std::string entry = name.empty() ? std::string("(empty name)") : std::string(name);
    auto add = [&](const std::string& what) { problems.push_back({entry, what}); };
    if (git_oid_is_zero(&e.id)) add("entry points to the null object id");
    if (name.find('/') != std::string_view::npos) add("entry name contains '/' (a full path name)");
    if (name.empty()) add("entry has an empty name");
    if (name == ".") add("entry named '.'");
    if (name == "..") add("entry named '..'");
    bool dotgit = IsHfsDotGit(name) || IsNtfsDotGit(name);
    bool gitmodules = IsGitmodulesName(name);
    for (size_t b = name.find('\\'); b != std::string_view::npos; b = name.find('\\', b + 1)) {
      dotgit |= IsNtfsDotGit(name.substr(b + 1));
      gitmodules |= IsNtfsDotGitmodules(name.substr(b + 1));
    }
    if (dotgit) {
      add(EqualsNoCase(name, ".git") ? "entry named '.git'"
                                     : "entry named '" + std::string(name) + "', which NTFS or HFS+ reads as '.git'");
    }
    if (gitmodules && IsLink(e.mode)) add(".gitmodules is a symbolic link");
    if (name.size() > kMaxEntryName) add("entry name longer than " + std::to_string(kMaxEntryName) + " bytes");
    if (At(digits, 0) == '0') add("zero-padded file mode " + std::string(digits));
    switch (e.mode) {
      case 0100755: case 0100644: case kLink: case kDir: case kGitlink:
        break;
      default: {
        char buf[16];
        snprintf(buf, sizeof buf, "%o", e.mode);
        add(std::string("bad file mode ") + buf);
      }
    }
    if (has_prev) {
      switch (VerifyOrdered(prev_mode, prev_name, e.mode, name, &candidates)) {
        case Order::kUnordered:
          unsorted = true;
          break;
        case Order::kDuplicate:
          add("duplicate entry");
          break;
        case Order::kOk:
          break;
      }
    }
    has_prev = true;
    prev_mode = e.mode;
    prev_name = name;
    if (entries) entries->push_back(std::move(e));
  }
  if (unsorted) problems.push_back({"", "entries are not properly sorted"});
  return problems;
}

std::vector<ObjectProblem> CheckCommitBuffer(std::string_view raw) {
  if (auto bad = VerifyHeaders(raw)) return One(*bad);
  std::vector<ObjectProblem> problems;
  size_t pos = 0;
  auto tree = Header(raw, &pos, "tree");
  if (!tree) return One("invalid format - expected 'tree' line");
  if (!IsHexOid(*tree)) return One("invalid 'tree' line format - bad sha1");
  while (auto parent = Header(raw, &pos, "parent")) {
    if (!IsHexOid(*parent)) return One("invalid 'parent' line format - bad sha1");
  }
  int authors = 0;
  while (auto author = Header(raw, &pos, "author")) {
    ++authors;
    if (auto bad = CheckIdent(*author)) return One("author: " + *bad);
  }
  if (authors == 0) return One("invalid format - expected 'author' line");
  if (authors > 1) return One("invalid format - multiple 'author' lines");
  auto committer = Header(raw, &pos, "committer");
  if (!committer) return One("invalid format - expected 'committer' line");
  if (auto bad = CheckIdent(*committer)) return One("committer: " + *bad);
  if (raw.find('\0') != std::string_view::npos) return One("NUL byte in the commit object body");
  return problems;
}

std::vector<ObjectProblem> CheckTagBuffer(std::string_view raw) {
  if (auto bad = VerifyHeaders(raw)) return One(*bad);
  size_t pos = 0;
  auto object = Header(raw, &pos, "object");
  if (!object) return One("invalid format - expected 'object' line");
  if (!IsHexOid(*object)) return One("invalid 'object' line format - bad sha1");
  auto type = Header(raw, &pos, "type");
  if (!type) return One("invalid format - expected 'type' line");
  if (*type != "commit" && *type != "tree" && *type != "blob" && *type != "tag") return One("invalid 'type' value");
  auto tag = Header(raw, &pos, "tag");
  if (!tag) return One("invalid format - expected 'tag' line");
  // A missing tagger is only informational in Git (early tags had none).
  if (auto tagger = Header(raw, &pos, "tagger")) {
    if (auto bad = CheckIdent(*tagger)) return One("tagger: " + *bad);
  }
  return {};
}

std::vector<ObjectProblem> CheckGitmodulesBuffer(std::string_view raw) {
  std::vector<ObjectProblem> problems;
  if (raw.size() > kMaxGitmodulesBytes) return One(".gitmodules too large to check");
  GitConfigReader reader(raw);
  // A syntax error stops the reading, as in Git (which then treats the file as unparseable and
  // reports it only as information); what was read before it is still checked.
  reader.Read([&](const std::string& section, const std::optional<std::string>& sub, const std::string& key,
                  const std::string& value, bool has_value) {
    if (section != "submodule" || !sub) return;
    if (BadSubmoduleName(*sub)) problems.push_back({".gitmodules", "disallowed submodule name: " + *sub});
    if (!has_value) return;
    if (key == "url" && BadSubmoduleUrl(value)) problems.push_back({".gitmodules", "disallowed submodule url: " + value});
    if (key == "path" && At(value, 0) == '-') problems.push_back({".gitmodules", "disallowed submodule path: " + value});
    if (key == "update" && At(value, 0) == '!') {
      problems.push_back({".gitmodules", "disallowed submodule update setting: " + value});
    }
  });
  for (auto& p : problems) p.entry.clear();  // the blob's own path already names the file
  return problems;
}

PushObjectCheck::PushObjectCheck(const Config& config, const Repository& repo, Clock::time_point deadline,
                                 std::vector<Finding>* out)
    : checker_(std::make_unique<ObjectChecker>(config, repo, deadline, out)),
      opened_(checker_->Open()),
      repo_has_quarantine_(repo.has_quarantine()) {}

PushObjectCheck::~PushObjectCheck() = default;

Status PushObjectCheck::CheckQuarantine() {
  PG_RETURN_IF_ERROR(opened_);
  return repo_has_quarantine_ ? checker_->CheckQuarantine() : Status::Ok();
}

Status PushObjectCheck::CheckModel(const PushModel& model) {
  PG_RETURN_IF_ERROR(opened_);
  checker_->SetRefs(&model);
  PG_RETURN_IF_ERROR(checker_->CheckModel(model));
  checker_->Finish();
  return Status::Ok();
}

Status CheckObjects(const CheckContext& ctx, std::vector<Finding>* out) {
  PushObjectCheck check(ctx.config, ctx.repo, ctx.deadline, out);
  PG_RETURN_IF_ERROR(check.CheckQuarantine());
  return check.CheckModel(ctx.model);
}

}  // namespace pushgate
