// Object hygiene (hooks/object_checks.cc): trees, commits and tags that `git fsck` rejects, made
// with `git hash-object --literally` and pushed with a real `git push` (the client told not to
// check them) into a bare repository with the gate installed; and the name and buffer rules alone.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "base/files.h"
#include "hooks/object_checks.h"
#include "hooks/push_model.h"
#include "hooks/repository.h"
#include "tests/support/git_fixture.h"

using pushgate::testing::CmdResult;
using pushgate::testing::GitFixture;
using namespace std::string_literals;

namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

using Entry = std::tuple<std::string, std::string, std::string>;  // mode text, name, hex id

// A server with one accepted commit on main and the gate installed.
struct ObjRepo : GitFixture {
  explicit ObjRepo(bool update_hook_only = false, const std::string& config = "version: 1\n") {
    Commit("README.md", "hello\n", "initial");
    InstallGate(config);
    if (update_hook_only) REQUIRE(Run("rm -f " + server() + "/hooks/pre-receive").code == 0);
    auto r = Push("origin main");
    INFO(r.all());
    REQUIRE(r.code == 0);
  }

  std::string Blob(const std::string& content) {
    auto r = Run("printf '%s' " + Quote(content) + " | git hash-object -w --stdin");
    REQUIRE(r.code == 0);
    return Trim(r.out);
  }

  // Writes a tree object exactly as given (any names, modes, order).
  std::string Tree(const std::vector<Entry>& entries) {
    std::string script = "{ :";
    for (const auto& [mode, name, id] : entries) {
      script += "; printf '%s %s\\0' " + Quote(mode) + " " + Quote(name) +
                "; perl -e 'print pack(\"H*\", $ARGV[0])' " + id;
    }
    script += "; } | git hash-object -t tree --literally -w --stdin";
    auto r = Run(script);
    INFO(r.all());
    REQUIRE(r.code == 0);
    return Trim(r.out);
  }

  // A commit of tree on top of the server's main.
  std::string CommitTree(const std::string& tree) {
    auto r = Run("git commit-tree " + tree + " -p " + ServerRev("main") + " -m 'pushed tree'");
    INFO(r.all());
    REQUIRE(r.code == 0);
    return Trim(r.out);
  }

  // A commit object written exactly as given.
  std::string RawObject(const std::string& type, const std::string& text) {
    auto r = Run("printf '%s' " + Quote(text) + " | git hash-object -t " + type + " --literally -w --stdin");
    INFO(r.all());
    REQUIRE(r.code == 0);
    return Trim(r.out);
  }

  std::string HeadTree() { return Trim(Run("git rev-parse HEAD^{tree}").out); }
  std::string Head() { return Trim(Run("git rev-parse HEAD").out); }

  CmdResult PushAs(const std::string& id, const std::string& ref = "refs/heads/main") {
    return Run("git -c transfer.fsckObjects=false push origin " + id + ":" + ref);
  }

  // For objects a real client refuses to send (git's pack-objects parses commits and trees while
  // walking): a pack of exactly `objects`, fed with one ref command to the server's real
  // receive-pack (quarantine, hooks and all), as a hostile client would.
  CmdResult RawPush(const std::vector<std::string>& objects, const std::string& new_id,
                    const std::string& ref = "refs/heads/main") {
    std::string old = ServerRev(ref);
    if (old.empty()) old = std::string(40, '0');
    std::string cmd = old + " " + new_id + " " + ref + std::string(1, '\0') + "report-status";
    char len[5];
    snprintf(len, sizeof len, "%04zx", cmd.size() + 4);
    REQUIRE(pushgate::WriteFileAtomic(root() + "/cmd.pkt", std::string(len) + cmd + "0000").ok());
    std::string list;
    for (const auto& o : objects) list += o + "\n";
    REQUIRE(pushgate::WriteFileAtomic(root() + "/objects.txt", list).ok());
    auto r = Run("git pack-objects -q --stdout < " + root() + "/objects.txt > " + root() + "/push.pack && cat " +
                 root() + "/cmd.pkt " + root() + "/push.pack | git receive-pack " + server());
    // receive-pack reports the outcome on stdout ("ng <ref> ..."); the hook speaks on stderr.
    if (r.out.find("ok " + ref) == std::string::npos) r.code = r.code == 0 ? 1 : r.code;
    return r;
  }
};

// A tree holding README.md plus the given entries, in Git's order (a directory sorts as if its
// name ended in '/').
std::vector<Entry> WithReadme(ObjRepo& r, std::vector<Entry> extra) {
  extra.insert(extra.begin(), Entry{"100644", "README.md", r.Blob("hello\n")});
  auto key = [](const Entry& e) { return std::get<1>(e) + (std::get<0>(e) == "40000" ? "/" : ""); };
  std::stable_sort(extra.begin(), extra.end(), [&](const Entry& a, const Entry& b) { return key(a) < key(b); });
  return extra;
}

void ExpectRefused(ObjRepo& r, const std::string& commit, const std::string& object, const std::string& what,
                   const std::string& ref = "refs/heads/main", const std::vector<std::string>& raw_objects = {}) {
  std::string before = r.ServerRev(ref);
  auto p = raw_objects.empty() ? r.PushAs(commit, ref) : r.RawPush(raw_objects, commit, ref);
  INFO(p.all());
  CHECK(p.code != 0);
  CHECK(p.err.find("pushgate: error: object: ") != std::string::npos);
  CHECK(p.err.find(object) != std::string::npos);
  CHECK(p.err.find(what) != std::string::npos);
  CHECK(r.ServerRev(ref) == before);
}

}  // namespace

TEST_CASE("a tree with ordinary names lands; its twin with a '..' entry is refused naming tree and path") {
  ObjRepo r;
  std::string blob = r.Blob("x\n");
  std::string ok_sub = r.Tree({{"100644", "a.git", blob}, {"100644", "gitx", blob}, {"100644", "git~2", blob}});
  std::string ok = r.Tree(WithReadme(r, {{"40000", "dir", ok_sub}, {"100644", "notes.txt", blob}}));
  auto p = r.PushAs(r.CommitTree(ok));
  INFO(p.all());
  CHECK(p.code == 0);

  std::string bad_sub = r.Tree({{"100644", "..", blob}, {"100644", "a.git", blob}});
  std::string bad = r.Tree(WithReadme(r, {{"40000", "dir", bad_sub}}));
  ExpectRefused(r, r.CommitTree(bad), bad_sub, "dir/..: tree " + bad_sub + ": entry named '..'");
}

TEST_CASE("every spelling of a dangerous tree entry name is refused") {
  // `raw`: a real client refuses to pack such a tree itself, so it goes in through RawPush.
  auto [name, mode, what, raw] = GENERATE(table<std::string, std::string, std::string, bool>({
      {".", "100644", "entry named '.'", false},
      {".GiT", "40000", "entry named '.git'", false},
      {"git~1", "40000", "NTFS or HFS+ reads as '.git'", false},
      {".git. .", "40000", "NTFS or HFS+ reads as '.git'", false},
      {".git::$INDEX_ALLOCATION", "40000", "NTFS or HFS+ reads as '.git'", false},
      {"x\\.git", "100644", "NTFS or HFS+ reads as '.git'", false},
      {".g\xe2\x80\x8cit", "40000", "NTFS or HFS+ reads as '.git'", false},
      {".\xef\xbb\xbfGIT", "40000", "NTFS or HFS+ reads as '.git'", false},
      {"a/b", "100644", "contains '/'", false},
      {"mode.txt", "100664", "bad file mode 100664", false},
      {"pad.txt", "0100644", "zero-padded file mode 0100644", false},
  }));
  ObjRepo r;
  std::string blob = r.Blob("x\n");
  std::string target = mode == "40000" ? r.Tree({{"100644", "config", blob}}) : blob;
  std::string tree = r.Tree(WithReadme(r, {{mode, name, target}}));
  std::string commit = r.CommitTree(tree);
  std::vector<std::string> objects;
  if (raw) objects = {commit, tree, target, blob};
  ExpectRefused(r, commit, tree, what, "refs/heads/main", objects);
}

TEST_CASE("duplicate entries are refused, the same names in distinct trees land") {
  ObjRepo r;
  std::string blob = r.Blob("x\n");
  std::string sub = r.Tree({{"100644", "a", blob}});
  CHECK(r.PushAs(r.CommitTree(r.Tree(WithReadme(r, {{"100644", "a", blob}, {"40000", "b", sub}})))).code == 0);
  std::string dup = r.Tree(WithReadme(r, {{"100644", "a", blob}, {"100644", "a", blob}}));
  ExpectRefused(r, r.CommitTree(dup), dup, "duplicate entry");
  std::string df = r.Tree(WithReadme(r, {{"100644", "a", blob}, {"40000", "a", sub}}));
  ExpectRefused(r, r.CommitTree(df), df, "duplicate entry");
}

TEST_CASE(".gitmodules: a safe one lands; a symlink, an option-like url or path is refused") {
  ObjRepo r;
  std::string safe = r.Blob("[submodule \"lib\"]\n\tpath = lib\n\turl = https://example.com/lib.git\n");
  auto ok = r.PushAs(r.CommitTree(r.Tree(WithReadme(r, {{"100644", ".gitmodules", safe}}))));
  INFO(ok.all());
  CHECK(ok.code == 0);

  SECTION("symlink") {
    std::string link = r.Blob("elsewhere");
    std::string tree = r.Tree(WithReadme(r, {{"120000", ".gitmodules", link}}));
    ExpectRefused(r, r.CommitTree(tree), tree, ".gitmodules is a symbolic link");
  }
  SECTION("url") {
    std::string bad = r.Blob("[submodule \"lib\"]\n\tpath = lib\n\turl = \"-upload-pack=touch /tmp/pwned\"\n");
    std::string tree = r.Tree(WithReadme(r, {{"100644", ".gitmodules", bad}}));
    ExpectRefused(r, r.CommitTree(tree), bad, "disallowed submodule url: -upload-pack=touch /tmp/pwned");
  }
  SECTION("path, in an NTFS short name of .gitmodules") {
    std::string bad = r.Blob("[submodule \"lib\"]\n\tpath = -lib\n\turl = https://example.com/lib.git\n");
    std::string tree = r.Tree(WithReadme(r, {{"100644", "GITMOD~1", bad}}));
    ExpectRefused(r, r.CommitTree(tree), bad, "disallowed submodule path: -lib");
  }
}

TEST_CASE("malformed author, committer and tagger lines are refused naming the object") {
  ObjRepo r;
  std::string tree = r.HeadTree();
  std::string parent = r.Head();
  auto commit = [&](const std::string& author, const std::string& committer) {
    return "tree " + tree + "\nparent " + parent + "\nauthor " + author + "\ncommitter " + committer + "\n\nmsg\n";
  };
  const std::string good = "Alice <alice@example.com> 1700000000 +0000";
  // The twin that lands: a hand-written commit that is well formed.
  auto ok = r.PushAs(r.RawObject("commit", commit(good, good)));
  INFO(ok.all());
  CHECK(ok.code == 0);
  r.Run("git fetch -q origin && git reset -q --hard origin/main");
  parent = r.Head();

  // `lib`: libgit2 itself cannot parse the line; the raw check runs before libgit2 reads any pushed
  // object, so the push is refused with what is wrong, naming the object.
  auto [author, what, lib] = GENERATE(table<std::string, std::string, bool>({
      {"Alice <alice@example.com> 1700000000 +01", "author: invalid author/committer line - bad time zone", false},
      {"Alice <alice@example.com> 01700000000 +0000", "zero-padded date", false},
      {"Alice <alice@example.com>1700000000 +0000", "missing space before date", false},
      {"Alice<alice@example.com> 1700000000 +0000", "missing space before email", false},
      {"Alice <alice@example.com> tomorrow +0000", "author: invalid author/committer line - bad date", true},
      {"Alice alice@example.com> 1700000000 +0000", "author: invalid author/committer line - bad name", true},
  }));
  std::string id = r.RawObject("commit", commit(author, good));
  if (!lib) {
    ExpectRefused(r, id, "commit " + id, what, "refs/heads/main", {id});
  } else {
    std::string before = r.ServerRev("main");
    auto p = r.RawPush({id}, id);
    INFO(p.all());
    CHECK(p.code != 0);
    CHECK(p.err.find(id) != std::string::npos);
    CHECK(p.err.find(what) != std::string::npos);
    CHECK(r.ServerRev("main") == before);
  }
}

// Git's own connectivity check and libgit2 both refuse these; the gate must still refuse, with
// on_error: allow too, and name the object and what is wrong with it.
TEST_CASE("a commit without tree or committer header, or with no '<' in the author, is refused naming it") {
  ObjRepo r(false, "version: 1\non_error: allow\n");
  std::string tree = r.HeadTree();
  std::string parent = r.Head();
  const std::string who = "Alice <alice@example.com> 1700000000 +0000";
  auto [text, what] = GENERATE_COPY(table<std::string, std::string>({
      {"parent " + parent + "\nauthor " + who + "\ncommitter " + who + "\n\nm\n", "expected 'tree' line"},
      {"tree " + tree + "\nparent " + parent + "\nauthor " + who + "\n\nm\n", "expected 'committer' line"},
      {"tree " + tree + "\nparent " + parent + "\nauthor Alice alice@example.com 1700000000 +0000\ncommitter " + who +
           "\n\nm\n",
       "invalid author/committer line - missing email"},
  }));
  std::string id = r.RawObject("commit", text);
  std::string before = r.ServerRev("main");
  auto p = r.RawPush({id}, id);
  INFO(p.all());
  CHECK(p.code != 0);
  CHECK(p.err.find(id) != std::string::npos);
  CHECK(p.err.find(what) != std::string::npos);
  CHECK(r.ServerRev("main") == before);
}

TEST_CASE("an annotated tag with a good tagger lands; with a malformed tagger it is refused") {
  ObjRepo r;
  std::string head = r.Head();
  auto tag = [&](const std::string& name, const std::string& tagger) {
    return "object " + head + "\ntype commit\ntag " + name + "\ntagger " + tagger + "\n\nrelease\n";
  };
  std::string ok = r.RawObject("tag", tag("v1", "Alice <alice@example.com> 1700000000 +0000"));
  auto p = r.PushAs(ok, "refs/tags/v1");
  INFO(p.all());
  CHECK(p.code == 0);
  std::string bad = r.RawObject("tag", tag("v2", "Alice <alice@example.com> 1700000000 0000"));
  ExpectRefused(r, bad, "tag " + bad, "bad time zone", "refs/tags/v2");
}

TEST_CASE("a bad tree the store already held is refused when a new commit puts it in place; a good held tree lands") {
  ObjRepo r;
  std::string blob = r.Blob("x\n");
  // Both trees reach the server's object store without the gate (as objects of a refused push in
  // update-hook mode, or written before the gate was installed), unreferenced.
  std::string good = r.Tree(WithReadme(r, {{"100644", "fine.txt", blob}}));
  std::string bad = r.Tree(WithReadme(r, {{"100644", "..", blob}}));
  REQUIRE(r.Run("git cat-file --batch-all-objects --batch-check='%(objectname)' | git pack-objects -q --stdout | "
                "git -C " + r.server() + " unpack-objects -q")
              .code == 0);
  REQUIRE(r.Run("git -C " + r.server() + " cat-file -e " + bad).code == 0);

  auto ok = r.PushAs(r.CommitTree(good));
  INFO(ok.all());
  CHECK(ok.code == 0);
  ExpectRefused(r, r.CommitTree(bad), bad, "entry named '..'");
}

TEST_CASE("with only the update hook installed, a '..' entry is still refused and a clean tree lands") {
  ObjRepo r(/*update_hook_only=*/true);
  std::string blob = r.Blob("x\n");
  auto ok = r.PushAs(r.CommitTree(r.Tree(WithReadme(r, {{"100644", "fine.txt", blob}}))));
  INFO(ok.all());
  CHECK(ok.code == 0);
  r.Run("git fetch -q origin && git reset -q --hard origin/main");
  std::string sub = r.Tree({{"100644", "..", blob}});
  std::string tree = r.Tree(WithReadme(r, {{"40000", "deep", sub}}));
  ExpectRefused(r, r.CommitTree(tree), sub, "deep/..");

  // An annotated tag: its tagger line is checked without a quarantine too.
  std::string head = r.ServerRev("main");
  auto tag = [&](const std::string& tz) {
    return r.RawObject("tag", "object " + head + "\ntype commit\ntag t\ntagger Alice <alice@example.com> 1700000000 " + tz +
                                  "\n\nrelease\n");
  };
  auto good_tag = r.PushAs(tag("+0000"), "refs/tags/good");
  INFO(good_tag.all());
  CHECK(good_tag.code == 0);
  std::string bad_tag = tag("+00");
  ExpectRefused(r, bad_tag, "refs/tags/bad", "tag " + bad_tag + ": tagger: invalid author/committer line - bad time zone",
                "refs/tags/bad");
}

TEST_CASE("CheckObjects without a quarantine: a range's commits and trees, and the time budget") {
  ObjRepo r;
  std::string blob = r.Blob("x\n");
  std::string sub = r.Tree({{"100644", "..", blob}});
  std::string bad = r.CommitTree(r.Tree(WithReadme(r, {{"40000", "d", sub}})));
  REQUIRE(r.Run("git update-ref refs/heads/main " + bad).code == 0);
  pushgate::InitLibgit2();
  auto repo = pushgate::Repository::Discover(r.work());
  REQUIRE(repo.ok());
  auto model = pushgate::BuildRangeModel(*repo, "HEAD~1..HEAD", "range", {});
  REQUIRE(model.ok());
  pushgate::Config cfg;
  pushgate::PushContext push;
  auto run = [&](std::chrono::steady_clock::time_point deadline) {
    pushgate::CheckContext ctx{cfg, *repo, *model, push, deadline};
    std::vector<pushgate::Finding> out;
    REQUIRE(pushgate::CheckObjects(ctx, &out).ok());
    return out;
  };
  auto found = run(std::chrono::steady_clock::time_point::max());
  REQUIRE(found.size() == 1);
  CHECK(found[0].rule == "object");
  CHECK(found[0].commit == bad);
  CHECK(found[0].path == "d/..");
  CHECK(found[0].message == "tree " + sub + ": entry named '..'");

  // Past the deadline the check stops with a limits finding instead of silently.
  auto late = run(std::chrono::steady_clock::now() - std::chrono::seconds(1));
  REQUIRE(late.size() == 1);
  CHECK(late[0].rule == "limits");
  CHECK(late[0].blocking());
  cfg.limits.on_limit = pushgate::FailMode::kAllow;
  auto allowed = run(std::chrono::steady_clock::now() - std::chrono::seconds(1));
  REQUIRE(allowed.size() == 1);
  CHECK_FALSE(allowed[0].blocking());
}

// ---- the rules alone ----

TEST_CASE("NTFS and HFS+ spellings of .git, as Git's path.c and utf8.c decide") {
  for (const char* yes : {".git", ".GIT", "git~1", "GIT~1", ".git.", ".git ", ".git. . ", ".git::$INDEX_ALLOCATION",
                          ".git:stream", "git~1:x"}) {
    INFO(yes);
    CHECK(pushgate::IsNtfsDotGit(yes));
  }
  for (const char* no : {".gitx", "git~2", "git", ".gi", "x.git", ".git.x", "git~10"}) {
    INFO(no);
    CHECK_FALSE(pushgate::IsNtfsDotGit(no));
  }
  CHECK(pushgate::IsHfsDotGit(".g\xe2\x80\x8cit"));
  CHECK(pushgate::IsHfsDotGit("\xe2\x80\x8f.GIT"));
  CHECK(pushgate::IsHfsDotGit(".git\xef\xbb\xbf"));
  CHECK_FALSE(pushgate::IsHfsDotGit(".gi\xc3\xa9"));
  CHECK_FALSE(pushgate::IsHfsDotGit(".g\xe2\x80it"));  // malformed UTF-8 cannot be .git
  CHECK_FALSE(pushgate::IsHfsDotGit(".gitx"));
  for (const char* yes : {".gitmodules", ".GITMODULES", "gitmod~1", "GITMOD~4", "gi7eba~1", "gi7eba~9", ".gitmodules .",
                          ".gitmodules::$DATA"}) {
    INFO(yes);
    CHECK(pushgate::IsNtfsDotGitmodules(yes));
  }
  for (const char* no : {"gitmod~5", ".gitmodulesx", "gitmodules", "gi7eb~1"}) {
    INFO(no);
    CHECK_FALSE(pushgate::IsNtfsDotGitmodules(no));
  }
  CHECK(pushgate::IsHfsDotGitmodules(".gitmodul\xe2\x80\x8d" "es"));
}

TEST_CASE("commit and tag buffers: Git's header rules") {
  using pushgate::CheckCommitBuffer;
  using pushgate::CheckTagBuffer;
  const std::string tree = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n";
  const std::string who = "A U Thor <a@example.com> 1700000000 +0100";
  CHECK(CheckCommitBuffer(tree + "author " + who + "\ncommitter " + who + "\n\nmsg").empty());
  CHECK(CheckCommitBuffer(tree + "author " + who + "\ncommitter " + who + "\n").empty());
  CHECK(!CheckCommitBuffer(tree + "author " + who + "\ncommitter " + who).empty());  // unterminated
  CHECK(!CheckCommitBuffer(tree + "author " + who + "\nauthor " + who + "\ncommitter " + who + "\n\n").empty());
  CHECK(!CheckCommitBuffer(tree + "parent 123\nauthor " + who + "\ncommitter " + who + "\n\n").empty());
  CHECK(!CheckCommitBuffer(tree + "author " + who + "\ncommitter " + who + "\n\nm\0x"s).empty());
  CHECK(!CheckCommitBuffer(tree + "author A <a> 99999999999999999999 +0000\ncommitter " + who + "\n\n").empty());
  const std::string obj = "object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n";
  CHECK(CheckTagBuffer(obj + "type tree\ntag t\ntagger " + who + "\n\nm").empty());
  CHECK(CheckTagBuffer(obj + "type tree\ntag t\n\nm").empty());  // no tagger: informational in Git
  CHECK(!CheckTagBuffer(obj + "type bogus\ntag t\n\nm").empty());
  CHECK(!CheckTagBuffer(obj + "tag t\n\nm").empty());
}

TEST_CASE(".gitmodules is read as Git config") {
  using pushgate::CheckGitmodulesBuffer;
  CHECK(CheckGitmodulesBuffer("[submodule \"a\"]\n  path = a ; comment\n  url = ../a.git\n").empty());
  CHECK(CheckGitmodulesBuffer("# [submodule \"a\"]\n# url = -x\n[core]\n  url = -x\n").empty());
  CHECK(CheckGitmodulesBuffer("[submodule \"a\"]\n  url = \"-\\\n-x\"\n").size() == 1);
  CHECK(CheckGitmodulesBuffer("[SubModule \"a\"]\n  URL = -x\n").size() == 1);
  CHECK(CheckGitmodulesBuffer("[submodule \"a\"]\n  url = \"\"-x\n").size() == 1);
  CHECK(CheckGitmodulesBuffer("[submodule \"a\"]\n  url = ../:x\n").size() == 1);
  CHECK(CheckGitmodulesBuffer("[submodule \"a\"]\n  url = https://e.com/%0a\n").size() == 1);
  CHECK(CheckGitmodulesBuffer("[submodule \"../../x\"]\n  path = x\n").size() == 1);
  CHECK(CheckGitmodulesBuffer("[submodule \"a\"]\n  update = !rm -rf /\n").size() == 1);
  CHECK(CheckGitmodulesBuffer("[submodule.a]\n  path = -p\n").size() == 1);
}

TEST_CASE("tree buffers: sorting as Git sorts, with directories ending in '/'") {
  auto tree = [](std::vector<std::pair<std::string, std::string>> entries) {
    std::string raw;
    for (auto& [mode, name] : entries) raw += mode + " " + name + std::string(1, '\0') + std::string(20, '\x11');
    return raw;
  };
  CHECK(pushgate::CheckTreeBuffer(tree({{"100644", "a.b"}, {"40000", "a"}}), nullptr).empty());
  CHECK(!pushgate::CheckTreeBuffer(tree({{"40000", "a"}, {"100644", "a.b"}}), nullptr).empty());
  CHECK(!pushgate::CheckTreeBuffer(tree({{"100644", "b"}, {"100644", "a"}}), nullptr).empty());
  CHECK(!pushgate::CheckTreeBuffer(tree({{"100644", "a"}, {"100644", "a.b"}, {"40000", "a"}}), nullptr).empty());
  CHECK(!pushgate::CheckTreeBuffer("100644 a", nullptr).empty());  // truncated
  CHECK(!pushgate::CheckTreeBuffer(tree({{"10064x", "a"}}), nullptr).empty());
}
