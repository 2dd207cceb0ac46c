#include "install/installer.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "base/files.h"
#include "install/hook_wrapper.h"
#include "tests/support/git_fixture.h"
#include "tests/support/gitea_hooks.h"

using namespace pushgate;
using pushgate::testing::GitFixture;
using pushgate::testing::Sh;

namespace fs = std::filesystem;

namespace {

const char kZero[] = "0000000000000000000000000000000000000000";

// A stand-in for the pushgate binary: a real program that records its arguments and standard
// input beside itself and exits with the code stored in its exit_code file (0 when absent), or in
// exit_code.<subcommand> when that exists.
class FakeGate {
 public:
  explicit FakeGate(const std::string& dir, const std::string& name = "pushgate") : dir_(dir), path_(dir + "/" + name) {
    fs::create_directories(dir_);
    REQUIRE(WriteFileAtomic(path_,
                            "#!/bin/sh\n"
                            "d=$(dirname \"$0\")\n"
                            "{ printf 'args:'; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; echo; } >>\"$d/calls.log\"\n"
                            "cat >>\"$d/stdin.log\"\n"
                            "code=0; [ -f \"$d/exit_code\" ] && code=$(cat \"$d/exit_code\")\n"
                            "for a in \"$@\"; do [ -f \"$d/exit_code.$a\" ] && code=$(cat \"$d/exit_code.$a\"); done\n"
                            "exit \"$code\"\n",
                            0755)
                .ok());
  }
  const std::string& path() const { return path_; }
  std::string Calls() const { return Read("calls.log"); }
  std::string Stdin() const { return Read("stdin.log"); }
  void SetExit(int code) { REQUIRE(WriteFileAtomic(dir_ + "/exit_code", std::to_string(code) + "\n").ok()); }
  // The exit code when the subcommand (e.g. "post-receive") is among the arguments.
  void SetExitFor(const std::string& subcommand, int code) {
    REQUIRE(WriteFileAtomic(dir_ + "/exit_code." + subcommand, std::to_string(code) + "\n").ok());
  }
  void Reset() {
    fs::remove(dir_ + "/calls.log");
    fs::remove(dir_ + "/stdin.log");
  }

 private:
  std::string Read(const std::string& name) const {
    auto r = ReadFile(dir_ + "/" + name);
    return r.ok() ? *r : "";
  }
  std::string dir_;
  std::string path_;
};

// A hook someone else wrote: records its arguments and stdin to log_prefix.{args,stdin} and exits
// with the code in log_prefix.exit (0 when absent).
std::string ForeignHook(const std::string& log_prefix) {
  return "#!/bin/sh\n"
         "# site policy hook, not pushgate's\n"
         "echo \"$*\" >>'" + log_prefix + ".args'\n"
         "cat >>'" + log_prefix + ".stdin'\n"
         "code=0; [ -f '" + log_prefix + ".exit' ] && code=$(cat '" + log_prefix + ".exit')\n"
         "exit \"$code\"\n";
}

// Recursive listing of dir with types, modes, symlink targets and content hashes.
std::string Snapshot(const std::string& dir) {
  auto r = Sh("find . -printf '%y %m %p -> %l\\n' | LC_ALL=C sort && "
              "find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum",
              dir);
  REQUIRE(r.code == 0);
  return r.out;
}

std::string Read(const std::string& path) {
  auto r = ReadFile(path);
  REQUIRE(r.ok());
  return *r;
}

unsigned Mode(const std::string& path) {
  struct stat st;
  REQUIRE(lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool AnyContains(const std::vector<std::string>& v, const std::string& needle) {
  for (const auto& s : v) {
    if (s.find(needle) != std::string::npos) return true;
  }
  return false;
}

InstallRequest Request(InstallTarget target, const std::string& path, const std::string& binary,
                       const std::string& config = "") {
  InstallRequest r;
  r.target = target;
  r.path = path;
  r.binary = binary;
  r.config = config;
  return r;
}

std::string InitBare(const std::string& path) {
  auto r = Sh("git init -q --bare '" + path + "'", "/");
  REQUIRE(r.code == 0);
  return path;
}

// The delegating hooks Gitea writes into every repository (modules/repository/hooks.go), plus a
// stand-in for Gitea's own hooks/<name>.d/gitea that records that it ran.
void WriteGiteaLayout(const std::string& repo, const std::string& gitea_log) {
  const std::string pre_receive = pushgate::testing::kGiteaPreReceive;
  const std::string update = pushgate::testing::kGiteaUpdate;
  const std::string post_receive = pushgate::testing::kGiteaPostReceive;
  fs::create_directories(repo + "/hooks/pre-receive.d");
  fs::create_directories(repo + "/hooks/update.d");
  fs::create_directories(repo + "/hooks/post-receive.d");
  REQUIRE(WriteFileAtomic(repo + "/hooks/pre-receive", pre_receive, 0755).ok());
  REQUIRE(WriteFileAtomic(repo + "/hooks/update", update, 0755).ok());
  REQUIRE(WriteFileAtomic(repo + "/hooks/post-receive", post_receive, 0755).ok());
  for (const char* name : {"pre-receive", "update", "post-receive"}) {
    REQUIRE(WriteFileAtomic(repo + "/hooks/" + name + ".d/gitea",
                            std::string("#!/usr/bin/env bash\n# AUTO GENERATED BY GITEA, DO NOT MODIFY\n"
                                        "cat >/dev/null\necho gitea ") + name + " >>'" + gitea_log + "'\n",
                            0755)
                .ok());
  }
}

}  // namespace

TEST_CASE("install --bare writes executable wrappers that exec the binary by absolute path") {
  TempDir tmp;
  std::string repo = InitBare(tmp.path() + "/repo.git");
  FakeGate gate(tmp.path() + "/bin");

  auto report = Install(Request(InstallTarget::kBare, repo, gate.path(), "/etc/pushgate/pushgate.yaml"));
  REQUIRE(report.ok());
  CHECK(report->written ==
        std::vector<std::string>{repo + "/hooks/pre-receive", repo + "/hooks/update", repo + "/hooks/post-receive"});
  CHECK(report->kept.empty());
  for (const char* name : {"pre-receive", "update", "post-receive"}) {
    std::string hook = repo + "/hooks/" + name;
    CHECK(Mode(hook) == 0755);
    CHECK(IsManagedHook(hook));
    CHECK(Read(hook).find("exec " + ShellQuote(gate.path()) + " --config '/etc/pushgate/pushgate.yaml'") !=
          std::string::npos);
  }

  // Run the hooks the way receive-pack does: in $GIT_DIR, ref lines on stdin, ref and ids as arguments.
  auto r = Sh(std::string("printf '%s\\n' '") + kZero + " 1111111111111111111111111111111111111111 refs/heads/main' | "
              "hooks/pre-receive",
              repo);
  CHECK(r.code == 0);
  CHECK(gate.Calls() == "args: [--config] [/etc/pushgate/pushgate.yaml] [pre-receive]\n");
  CHECK(gate.Stdin() == std::string(kZero) + " 1111111111111111111111111111111111111111 refs/heads/main\n");

  gate.Reset();
  gate.SetExit(1);
  r = Sh("hooks/update refs/heads/main a b </dev/null", repo);
  CHECK(r.code == 1);
  CHECK(gate.Calls() == "args: [--config] [/etc/pushgate/pushgate.yaml] [update] [refs/heads/main] [a] [b]\n");

  // post-receive passes its input on; nothing is chained, so its status is pushgate's.
  gate.Reset();
  gate.SetExit(4);
  r = Sh("printf 'a b refs/heads/main\\n' | hooks/post-receive", repo);
  CHECK(r.code == 4);
  CHECK(gate.Calls() == "args: [--config] [/etc/pushgate/pushgate.yaml] [post-receive]\n");
  CHECK(gate.Stdin() == "a b refs/heads/main\n");
}

TEST_CASE("installing twice keeps the wrappers, and another binary or config rewrites them") {
  TempDir tmp;
  std::string repo = InitBare(tmp.path() + "/repo.git");
  FakeGate gate(tmp.path() + "/bin");
  FakeGate other(tmp.path() + "/bin2");

  REQUIRE(Install(Request(InstallTarget::kBare, repo, gate.path())).ok());
  std::string before = Snapshot(repo);
  auto again = Install(Request(InstallTarget::kBare, repo, gate.path()));
  REQUIRE(again.ok());
  CHECK(again->written.empty());
  CHECK(again->kept.size() == 3);
  CHECK(Snapshot(repo) == before);

  auto moved = Install(Request(InstallTarget::kBare, repo, other.path()));
  REQUIRE(moved.ok());
  CHECK(moved->written.size() == 3);
  CHECK(Read(repo + "/hooks/pre-receive").find(other.path()) != std::string::npos);
  CHECK(Read(repo + "/hooks/pre-receive").find(gate.path()) == std::string::npos);

  auto configured = Install(Request(InstallTarget::kBare, repo, other.path(), "/srv/pg.yaml"));
  REQUIRE(configured.ok());
  CHECK(configured->written.size() == 3);

  // A wrapper whose mode was changed by hand is rewritten executable.
  REQUIRE(chmod((repo + "/hooks/update").c_str(), 0644) == 0);
  auto fixed = Install(Request(InstallTarget::kBare, repo, other.path(), "/srv/pg.yaml"));
  REQUIRE(fixed.ok());
  CHECK(fixed->written == std::vector<std::string>{repo + "/hooks/update"});
  CHECK(Mode(repo + "/hooks/update") == 0755);
}

TEST_CASE("a foreign pre-receive hook is chained after pushgate and restored byte for byte") {
  TempDir tmp;
  std::string repo = InitBare(tmp.path() + "/repo.git");
  FakeGate gate(tmp.path() + "/bin");
  std::string log = tmp.path() + "/foreign";
  std::string foreign = ForeignHook(log);
  REQUIRE(WriteFileAtomic(repo + "/hooks/pre-receive", foreign, 0750).ok());
  std::string before = Snapshot(repo);

  auto report = Install(Request(InstallTarget::kBare, repo, gate.path()));
  REQUIRE(report.ok());
  std::string chained = repo + "/hooks/pre-receive.pushgate-chained";
  CHECK(Read(chained) == foreign);
  CHECK(Mode(chained) == 0750);
  CHECK(AnyContains(report->notes, chained));
  CHECK(Install(Request(InstallTarget::kBare, repo, gate.path()))->kept.size() == 3);

  // Input without a final newline must reach both programs byte for byte.
  const std::string input = "a b refs/heads/one\nc d refs/heads/two";
  auto run = [&](int gate_code, int foreign_code) {
    gate.Reset();
    fs::remove(log + ".stdin");
    fs::remove(log + ".args");
    gate.SetExit(gate_code);
    REQUIRE(WriteFileAtomic(log + ".exit", std::to_string(foreign_code)).ok());
    return Sh("printf '%s' '" + input + "' | hooks/pre-receive", repo).code;
  };
  CHECK(run(0, 0) == 0);
  CHECK(gate.Stdin() == input);
  CHECK(Read(log + ".stdin") == input);

  CHECK(run(0, 1) == 1);
  CHECK(Read(log + ".stdin") == input);

  CHECK(run(3, 0) == 3);
  CHECK(gate.Stdin() == input);
  CHECK_FALSE(PathExists(log + ".stdin"));  // a refused push does not reach the chained hook

  // A push of many refs: more input than a pipe holds reaches both programs whole.
  gate.Reset();
  gate.SetExit(0);
  fs::remove(log + ".stdin");
  REQUIRE(WriteFileAtomic(log + ".exit", "0").ok());
  auto many = Sh("seq 1 20000 | sed 's|.*|a b refs/tags/v&|' | tee ../many.txt | hooks/pre-receive", repo);
  CHECK(many.code == 0);
  std::string expected = Read(tmp.path() + "/many.txt");
  CHECK(expected.size() > 300000);
  CHECK(gate.Stdin() == expected);
  CHECK(Read(log + ".stdin") == expected);

  auto undone = Uninstall(Request(InstallTarget::kBare, repo, ""));
  REQUIRE(undone.ok());
  CHECK(undone->restored == std::vector<std::string>{repo + "/hooks/pre-receive"});
  CHECK(Contains(undone->removed, repo + "/hooks/update"));
  CHECK(Snapshot(repo) == before);
}

TEST_CASE("chained hooks run under a real git push into a bare repository") {
  GitFixture fx;
  TempDir tmp;
  FakeGate gate(tmp.path() + "/bin");
  std::string log = tmp.path() + "/foreign";
  REQUIRE(WriteFileAtomic(fx.server() + "/hooks/update", ForeignHook(log), 0755).ok());
  REQUIRE(Install(Request(InstallTarget::kBare, fx.server(), gate.path())).ok());

  fx.Commit("README", "hello\n");
  auto pushed = fx.Push("origin main");
  INFO(pushed.all());
  REQUIRE(pushed.code == 0);
  std::string head = fx.ServerRev("refs/heads/main");
  REQUIRE(!head.empty());
  CHECK(gate.Calls() == "args: [pre-receive]\nargs: [update] [refs/heads/main] [" + std::string(kZero) + "] [" + head +
                            "]\nargs: [post-receive]\n");
  // pre-receive, then post-receive once the ref moved.
  CHECK(gate.Stdin() == std::string(kZero) + " " + head + " refs/heads/main\n" + std::string(kZero) + " " + head +
                            " refs/heads/main\n");
  CHECK(Read(log + ".args") == "refs/heads/main " + std::string(kZero) + " " + head + "\n");

  // The chained update hook refusing refuses the ref even though pushgate accepted it.
  REQUIRE(WriteFileAtomic(log + ".exit", "1").ok());
  fx.Commit("README", "hello again\n");
  CHECK(fx.Push("origin main").code != 0);
  CHECK(fx.ServerRev("refs/heads/main") == head);
}

TEST_CASE("a foreign post-receive hook runs after pushgate whatever pushgate's status, and is restored byte for byte") {
  TempDir tmp;
  std::string repo = InitBare(tmp.path() + "/repo.git");
  FakeGate gate(tmp.path() + "/bin");
  std::string log = tmp.path() + "/foreign";
  std::string foreign = ForeignHook(log);
  REQUIRE(WriteFileAtomic(repo + "/hooks/post-receive", foreign, 0750).ok());
  std::string before = Snapshot(repo);

  auto report = Install(Request(InstallTarget::kBare, repo, gate.path()));
  REQUIRE(report.ok());
  std::string chained = repo + "/hooks/post-receive.pushgate-chained";
  CHECK(Read(chained) == foreign);
  CHECK(AnyContains(report->notes, chained));
  std::string installed = Snapshot(repo);
  auto again = Install(Request(InstallTarget::kBare, repo, gate.path()));
  REQUIRE(again.ok());
  CHECK(again->written.empty());
  CHECK(Snapshot(repo) == installed);

  const std::string input = "a b refs/heads/one\nc d refs/heads/two";
  auto run = [&](int gate_code, int foreign_code) {
    gate.Reset();
    fs::remove(log + ".stdin");
    gate.SetExit(gate_code);
    REQUIRE(WriteFileAtomic(log + ".exit", std::to_string(foreign_code)).ok());
    return Sh("printf '%s' '" + input + "' | hooks/post-receive", repo).code;
  };
  CHECK(run(0, 0) == 0);
  CHECK(gate.Calls() == "args: [post-receive]\n");
  CHECK(gate.Stdin() == input);
  CHECK(Read(log + ".stdin") == input);
  // pushgate failing does not keep the chained hook from running; the chained hook's status counts.
  CHECK(run(3, 0) == 0);
  CHECK(gate.Stdin() == input);
  CHECK(Read(log + ".stdin") == input);
  CHECK(run(0, 5) == 5);
  CHECK(Read(log + ".stdin") == input);
  CHECK(run(3, 5) == 5);
  CHECK(Read(log + ".stdin") == input);

  // A chained hook that is not executable is skipped, as git skips it; pushgate's status counts.
  REQUIRE(chmod(chained.c_str(), 0640) == 0);
  CHECK(run(3, 0) == 3);
  CHECK_FALSE(PathExists(log + ".stdin"));
  REQUIRE(chmod(chained.c_str(), 0750) == 0);

  auto undone = Uninstall(Request(InstallTarget::kBare, repo, ""));
  REQUIRE(undone.ok());
  CHECK(undone->restored == std::vector<std::string>{repo + "/hooks/post-receive"});
  CHECK(Snapshot(repo) == before);
}

TEST_CASE("post-receive under a real git push: the chained hook runs even when pushgate's post-receive fails") {
  GitFixture fx;
  TempDir tmp;
  FakeGate gate(tmp.path() + "/bin");
  std::string log = tmp.path() + "/foreign";
  REQUIRE(WriteFileAtomic(fx.server() + "/hooks/post-receive", ForeignHook(log), 0755).ok());
  REQUIRE(Install(Request(InstallTarget::kBare, fx.server(), gate.path())).ok());
  gate.SetExitFor("post-receive", 1);

  fx.Commit("README", "hello\n");
  auto pushed = fx.Push("origin main");
  INFO(pushed.all());
  REQUIRE(pushed.code == 0);
  std::string head = fx.ServerRev("refs/heads/main");
  REQUIRE(!head.empty());
  CHECK(gate.Calls().find("args: [post-receive]\n") != std::string::npos);
  CHECK(Read(log + ".stdin") == std::string(kZero) + " " + head + " refs/heads/main\n");

  // The twin: a push pushgate refuses never reaches post-receive, neither pushgate's nor the chained one.
  gate.Reset();
  fs::remove(log + ".stdin");
  gate.SetExitFor("pre-receive", 1);
  fx.Commit("README", "refused\n");
  CHECK(fx.Push("origin main").code != 0);
  CHECK(fx.ServerRev("refs/heads/main") == head);
  CHECK(gate.Calls() == "args: [pre-receive]\n");
  CHECK_FALSE(PathExists(log + ".stdin"));
}

TEST_CASE("install --gitea adds wrappers beside Gitea's hooks and a real push runs them") {
  GitFixture fx;
  TempDir tmp;
  FakeGate gate(tmp.path() + "/bin");
  std::string gitea_log = tmp.path() + "/gitea.log";
  WriteGiteaLayout(fx.server(), gitea_log);
  std::string hooks_before = Snapshot(fx.server() + "/hooks");

  auto report = Install(Request(InstallTarget::kGitea, fx.server(), gate.path()));
  REQUIRE(report.ok());
  CHECK(report->written == std::vector<std::string>{fx.server() + "/hooks/pre-receive.d/pushgate",
                                                    fx.server() + "/hooks/update.d/pushgate",
                                                    fx.server() + "/hooks/post-receive.d/pushgate"});
  CHECK(report->notes.empty());
  CHECK(Read(fx.server() + "/hooks/pre-receive.d/gitea").find("gitea pre-receive") != std::string::npos);

  fx.Commit("README", "hello\n");
  auto pushed = fx.Push("origin main");
  INFO(pushed.all());
  REQUIRE(pushed.code == 0);
  std::string head = fx.ServerRev("refs/heads/main");
  // pre-receive, then post-receive once the ref moved.
  CHECK(gate.Stdin() == std::string(kZero) + " " + head + " refs/heads/main\n" + std::string(kZero) + " " + head +
                            " refs/heads/main\n");
  CHECK(gate.Calls() == "args: [pre-receive]\nargs: [update] [refs/heads/main] [" + std::string(kZero) + "] [" + head +
                            "]\nargs: [post-receive]\n");
  CHECK(Read(gitea_log) == "gitea pre-receive\ngitea update\ngitea post-receive\n");

  gate.SetExit(1);
  fx.Commit("README", "refused\n");
  auto refused = fx.Push("origin main");
  CHECK(refused.code != 0);
  CHECK(fx.ServerRev("refs/heads/main") == head);

  auto undone = Uninstall(Request(InstallTarget::kGitea, fx.server(), ""));
  REQUIRE(undone.ok());
  CHECK(undone->removed.size() == 3);
  CHECK(Snapshot(fx.server() + "/hooks") == hooks_before);
}

TEST_CASE("install --gitea notes a repository whose hooks do not delegate to hooks/*.d") {
  TempDir tmp;
  std::string repo = InitBare(tmp.path() + "/plain.git");
  FakeGate gate(tmp.path() + "/bin");
  auto report = Install(Request(InstallTarget::kGitea, repo, gate.path()));
  REQUIRE(report.ok());
  CHECK(AnyContains(report->notes, repo + "/hooks/pre-receive does not run the scripts in hooks/pre-receive.d"));
  CHECK(AnyContains(report->notes, repo + "/hooks/post-receive does not run the scripts in hooks/post-receive.d"));
}

TEST_CASE("install --gitea-root covers every owner/name.git and wiki, and can be rerun") {
  TempDir tmp;
  std::string root = tmp.path() + "/gitea repositories";
  FakeGate gate(tmp.path() + "/bin");
  for (const char* repo : {"alice/one.git", "alice/one.wiki.git", "bob/two.git"}) {
    InitBare(root + "/" + repo);
    WriteGiteaLayout(root + "/" + repo, tmp.path() + "/gitea.log");
  }
  fs::create_directories(root + "/bob/broken.git");  // not a repository
  fs::create_directories(root + "/.tmp/scratch.git");
  std::string before = Snapshot(root);

  auto report = Install(Request(InstallTarget::kGiteaRoot, root, gate.path()));
  REQUIRE(report.ok());
  CHECK(report->written.size() == 9);
  CHECK(Contains(report->written, root + "/alice/one.wiki.git/hooks/pre-receive.d/pushgate"));
  CHECK(AnyContains(report->notes, root + ": 3 repositories"));
  CHECK(AnyContains(report->notes, root + "/bob/broken.git: not a Git repository"));
  CHECK_FALSE(PathExists(root + "/.tmp/scratch.git/hooks"));

  // A repository created later is picked up by the next run; the others are kept.
  InitBare(root + "/carol/three.git");
  WriteGiteaLayout(root + "/carol/three.git", tmp.path() + "/gitea.log");
  auto rerun = Install(Request(InstallTarget::kGiteaRoot, root, gate.path()));
  REQUIRE(rerun.ok());
  CHECK(rerun->kept.size() == 9);
  CHECK(rerun->written.size() == 3);
  CHECK(AnyContains(rerun->notes, root + ": 4 repositories"));

  REQUIRE(Uninstall(Request(InstallTarget::kGiteaRoot, root, "")).ok());
  fs::remove_all(root + "/carol");
  CHECK(Snapshot(root) == before);
}

TEST_CASE("install --gitea-root keeps going past a repository it cannot change, then fails") {
  TempDir tmp;
  std::string root = tmp.path() + "/root";
  FakeGate gate(tmp.path() + "/bin");
  InitBare(root + "/alice/one.git");
  InitBare(root + "/bob/two.git");
  fs::create_directories(root + "/alice/one.git/hooks/update.d");
  REQUIRE(WriteFileAtomic(root + "/alice/one.git/hooks/update.d/pushgate", "#!/bin/sh\nexit 0\n", 0755).ok());

  auto report = Install(Request(InstallTarget::kGiteaRoot, root, gate.path()));
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == Status::Code::kInvalidArgument);
  CHECK(report.status().message().find("1 of 2 repositories") != std::string::npos);
  CHECK(report.status().message().find("update.d/pushgate exists and was not written by pushgate") != std::string::npos);
  // Nothing was written in the refused repository; the other one is protected.
  CHECK_FALSE(PathExists(root + "/alice/one.git/hooks/pre-receive.d/pushgate"));
  CHECK(IsManagedHook(root + "/bob/two.git/hooks/pre-receive.d/pushgate"));
}

TEST_CASE("install --gitlab uses custom_hooks/*.d and leaves existing custom hooks alone") {
  TempDir tmp;
  std::string repo = InitBare(tmp.path() + "/@hashed/ab/cd/abcd.git");
  FakeGate gate(tmp.path() + "/bin");
  fs::create_directories(repo + "/custom_hooks");
  std::string existing = "#!/bin/sh\nexit 0\n";
  REQUIRE(WriteFileAtomic(repo + "/custom_hooks/pre-receive", existing, 0755).ok());
  std::string before = Snapshot(repo);

  auto report = Install(Request(InstallTarget::kGitLab, repo, gate.path()));
  REQUIRE(report.ok());
  CHECK(report->written == std::vector<std::string>{repo + "/custom_hooks/pre-receive.d/pushgate",
                                                    repo + "/custom_hooks/update.d/pushgate",
                                                    repo + "/custom_hooks/post-receive.d/pushgate"});
  CHECK(Read(repo + "/custom_hooks/pre-receive") == existing);
  CHECK_FALSE(PathExists(repo + "/hooks/pre-receive"));
  auto r = Sh("printf 'x y refs/heads/main\\n' | custom_hooks/pre-receive.d/pushgate", repo);
  CHECK(r.code == 0);
  CHECK(gate.Calls() == "args: [pre-receive]\n");

  auto undone = Uninstall(Request(InstallTarget::kGitLab, repo, ""));
  REQUIRE(undone.ok());
  CHECK(Contains(undone->removed, repo + "/custom_hooks/pre-receive.d/"));
  CHECK(Snapshot(repo) == before);

  // Without any custom hooks, uninstall also removes the custom_hooks directory it created.
  fs::remove_all(repo + "/custom_hooks");
  std::string bare = Snapshot(repo);
  REQUIRE(Install(Request(InstallTarget::kGitLab, repo, gate.path())).ok());
  REQUIRE(Uninstall(Request(InstallTarget::kGitLab, repo, "")).ok());
  CHECK(Snapshot(repo) == bare);
}

TEST_CASE("install --gitlab-server-hooks writes into an existing custom_hooks_dir") {
  TempDir tmp;
  std::string dir = tmp.path() + "/custom_hooks";
  FakeGate gate(tmp.path() + "/bin");

  auto missing = Install(Request(InstallTarget::kGitLabServerHooks, dir, gate.path()));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("no such directory") != std::string::npos);

  fs::create_directories(dir + "/pre-receive.d");
  REQUIRE(WriteFileAtomic(dir + "/pre-receive.d/10-other", "#!/bin/sh\nexit 0\n", 0755).ok());
  std::string before = Snapshot(dir);
  auto report = Install(Request(InstallTarget::kGitLabServerHooks, dir, gate.path()));
  REQUIRE(report.ok());
  CHECK(report->written == std::vector<std::string>{dir + "/pre-receive.d/pushgate", dir + "/update.d/pushgate",
                                                    dir + "/post-receive.d/pushgate"});
  REQUIRE(Uninstall(Request(InstallTarget::kGitLabServerHooks, dir, "")).ok());
  CHECK(Snapshot(dir) == before);
}

TEST_CASE("install --pre-commit without core.hooksPath runs on a real commit and chains the old hook") {
  GitFixture fx;
  TempDir tmp;
  FakeGate gate(tmp.path() + "/bin");
  std::string log = tmp.path() + "/foreign";
  std::string hook = fx.work() + "/.git/hooks/pre-commit";
  REQUIRE(WriteFileAtomic(hook, ForeignHook(log), 0755).ok());
  std::string before = Snapshot(fx.work() + "/.git/hooks");

  auto report = Install(Request(InstallTarget::kPreCommit, fx.work(), gate.path()));
  REQUIRE(report.ok());
  CHECK(report->written == std::vector<std::string>{hook});
  CHECK(report->notes.size() == 1);  // the chained hook

  fx.Commit("a.txt", "a\n");
  CHECK(gate.Calls() == "args: [pre-commit]\n");
  CHECK(PathExists(log + ".stdin"));  // the chained hook ran too

  gate.SetExit(1);
  std::string head = fx.Run("git rev-parse HEAD").out;
  auto refused = fx.Run("echo b >b.txt && git add b.txt && git commit -q -m b");
  CHECK(refused.code != 0);
  CHECK(fx.Run("git rev-parse HEAD").out == head);

  auto undone = Uninstall(Request(InstallTarget::kPreCommit, fx.work(), ""));
  REQUIRE(undone.ok());
  CHECK(undone->restored == std::vector<std::string>{hook});
  CHECK(Snapshot(fx.work() + "/.git/hooks") == before);
}

TEST_CASE("install --pre-commit honours a relative core.hooksPath and discovers the repository from a subdirectory") {
  GitFixture fx;
  TempDir tmp;
  FakeGate gate(tmp.path() + "/bin");
  fx.Commit("src/main.c", "int main(void) { return 0; }\n");
  REQUIRE(fx.Run("git config core.hooksPath .githooks").code == 0);
  std::string git_hooks_before = Snapshot(fx.work() + "/.git/hooks");

  auto report = Install(Request(InstallTarget::kPreCommit, fx.work() + "/src", gate.path()));
  REQUIRE(report.ok());
  CHECK(report->written == std::vector<std::string>{fx.work() + "/.githooks/pre-commit"});
  CHECK(AnyContains(report->notes, "core.hooksPath is set to .githooks"));
  CHECK_FALSE(PathExists(fx.work() + "/.git/hooks/pre-commit"));

  fx.Commit("b.txt", "b\n");
  CHECK(gate.Calls() == "args: [pre-commit]\n");

  // Discovery from the current directory when no path is given.
  auto cwd = fs::current_path();
  fs::current_path(fx.work() + "/src");
  auto undone = Uninstall(Request(InstallTarget::kPreCommit, "", ""));
  fs::current_path(cwd);
  REQUIRE(undone.ok());
  CHECK(Contains(undone->removed, fx.work() + "/.githooks/pre-commit"));
  CHECK(Contains(undone->removed, fx.work() + "/.githooks/"));
  CHECK_FALSE(PathExists(fx.work() + "/.githooks"));
  CHECK(Snapshot(fx.work() + "/.git/hooks") == git_hooks_before);
}

TEST_CASE("install --bare notes a core.hooksPath that would bypass the wrappers") {
  TempDir tmp;
  std::string repo = InitBare(tmp.path() + "/repo.git");
  FakeGate gate(tmp.path() + "/bin");
  REQUIRE(Sh("git --git-dir=. config core.hooksPath /srv/hooks", repo).code == 0);
  auto report = Install(Request(InstallTarget::kBare, repo, gate.path()));
  REQUIRE(report.ok());
  CHECK(AnyContains(report->notes, "core.hooksPath is set to /srv/hooks"));
  CHECK(report->written.size() == 3);
}

TEST_CASE("a binary path with spaces, quotes and shell metacharacters runs exactly that binary") {
  GitFixture fx;
  TempDir tmp;
  FakeGate gate(tmp.path() + "/bin dir/it's \"quoted\" $HOME `id` ;&", "push gate");
  std::string config = tmp.path() + "/conf dir/o'neil $(id).yaml";
  REQUIRE(Install(Request(InstallTarget::kBare, fx.server(), gate.path(), config)).ok());

  fx.Commit("README", "hello\n");
  auto pushed = fx.Push("origin main");
  INFO(pushed.all());
  REQUIRE(pushed.code == 0);
  CHECK(gate.Calls().starts_with("args: [--config] [" + config + "] [pre-receive]\n"));
}

TEST_CASE("install refuses paths that are not what the target needs, with a clear error") {
  TempDir tmp;
  FakeGate gate(tmp.path() + "/bin");
  std::string repo = InitBare(tmp.path() + "/repo.git");
  fs::create_directories(tmp.path() + "/plain dir");

  auto not_repo = Install(Request(InstallTarget::kBare, tmp.path() + "/plain dir", gate.path()));
  REQUIRE_FALSE(not_repo.ok());
  CHECK(not_repo.status().code() == Status::Code::kInvalidArgument);
  CHECK(not_repo.status().message() == tmp.path() + "/plain dir: not a Git repository");
  CHECK_FALSE(PathExists(tmp.path() + "/plain dir/hooks"));

  auto missing = Install(Request(InstallTarget::kGitea, tmp.path() + "/nowhere.git", gate.path()));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == tmp.path() + "/nowhere.git: no such directory");

  REQUIRE(Sh("git init -q work", tmp.path()).code == 0);
  auto working = Install(Request(InstallTarget::kGitLab, tmp.path() + "/work/.git", gate.path()));
  REQUIRE_FALSE(working.ok());
  CHECK(working.status().message().find("not a bare repository") != std::string::npos);

  auto no_tree = Install(Request(InstallTarget::kPreCommit, repo, gate.path()));
  REQUIRE_FALSE(no_tree.ok());
  CHECK(no_tree.status().message() == repo + ": not inside a Git working tree");

  auto relative = Install(Request(InstallTarget::kBare, repo, "bin/pushgate"));
  REQUIRE_FALSE(relative.ok());
  CHECK(relative.status().message().find("must be absolute") != std::string::npos);
  auto relative_config = Install(Request(InstallTarget::kBare, repo, gate.path(), "pushgate.yaml"));
  REQUIRE_FALSE(relative_config.ok());
  CHECK_FALSE(PathExists(repo + "/hooks/pre-receive"));

  auto empty = Install(Request(InstallTarget::kGitea, "", gate.path()));
  REQUIRE_FALSE(empty.ok());

  auto absent_binary = Install(Request(InstallTarget::kBare, repo, tmp.path() + "/no/pushgate"));
  REQUIRE(absent_binary.ok());
  CHECK(AnyContains(absent_binary->notes, "is not an executable file"));
}

TEST_CASE("install never overwrites a file it did not write") {
  TempDir tmp;
  FakeGate gate(tmp.path() + "/bin");
  std::string repo = InitBare(tmp.path() + "/repo.git");

  // Gitea layout: a stranger's file named pushgate in update.d; nothing is written anywhere.
  fs::create_directories(repo + "/hooks/update.d");
  REQUIRE(WriteFileAtomic(repo + "/hooks/update.d/pushgate", "#!/bin/sh\nexit 0\n", 0755).ok());
  auto gitea = Install(Request(InstallTarget::kGitea, repo, gate.path()));
  REQUIRE_FALSE(gitea.ok());
  CHECK(gitea.status().message().find("was not written by pushgate") != std::string::npos);
  CHECK_FALSE(PathExists(repo + "/hooks/pre-receive.d/pushgate"));

  // Bare layout: a foreign hook and an occupied chain slot.
  REQUIRE(WriteFileAtomic(repo + "/hooks/pre-receive", "#!/bin/sh\nexit 0\n", 0755).ok());
  REQUIRE(WriteFileAtomic(repo + "/hooks/pre-receive.pushgate-chained", "#!/bin/sh\nexit 1\n", 0755).ok());
  std::string before = Snapshot(repo);
  auto bare = Install(Request(InstallTarget::kBare, repo, gate.path()));
  REQUIRE_FALSE(bare.ok());
  CHECK(bare.status().message().find("neither is pushgate's wrapper") != std::string::npos);
  CHECK(Snapshot(repo) == before);

  // Uninstall leaves foreign files in place and says so.
  auto undone = Uninstall(Request(InstallTarget::kGitea, repo, ""));
  REQUIRE(undone.ok());
  CHECK(undone->removed.empty());
  CHECK(AnyContains(undone->notes, "was not written by pushgate; left in place"));
  CHECK(Snapshot(repo) == before);
}

TEST_CASE("uninstall with nothing installed changes nothing and says so") {
  TempDir tmp;
  std::string repo = InitBare(tmp.path() + "/repo.git");
  std::string before = Snapshot(repo);
  for (InstallTarget target : {InstallTarget::kBare, InstallTarget::kGitea, InstallTarget::kGitLab}) {
    auto report = Uninstall(Request(target, repo, ""));
    REQUIRE(report.ok());
    CHECK(report->removed.empty());
    CHECK(report->restored.empty());
    CHECK(AnyContains(report->notes, "pushgate is not installed in " + repo));
  }
  CHECK(Snapshot(repo) == before);

  auto not_repo = Uninstall(Request(InstallTarget::kBare, tmp.path(), ""));
  REQUIRE_FALSE(not_repo.ok());
  CHECK(not_repo.status().message() == tmp.path() + ": not a Git repository");
}

TEST_CASE("a chained hook whose wrapper was deleted by hand is still restored") {
  TempDir tmp;
  FakeGate gate(tmp.path() + "/bin");
  std::string repo = InitBare(tmp.path() + "/repo.git");
  std::string foreign = ForeignHook(tmp.path() + "/foreign");
  REQUIRE(WriteFileAtomic(repo + "/hooks/update", foreign, 0700).ok());
  REQUIRE(Install(Request(InstallTarget::kBare, repo, gate.path())).ok());
  fs::remove(repo + "/hooks/update");

  // Reinstalling chains it again rather than losing it.
  auto again = Install(Request(InstallTarget::kBare, repo, gate.path()));
  REQUIRE(again.ok());
  CHECK(Read(repo + "/hooks/update").find("update.pushgate-chained") != std::string::npos);

  fs::remove(repo + "/hooks/update");
  auto undone = Uninstall(Request(InstallTarget::kBare, repo, ""));
  REQUIRE(undone.ok());
  CHECK(undone->restored == std::vector<std::string>{repo + "/hooks/update"});
  CHECK(Read(repo + "/hooks/update") == foreign);
  CHECK(Mode(repo + "/hooks/update") == 0700);
}

TEST_CASE("RenderWrapper output is valid POSIX sh and IsManagedHook recognises only wrappers") {
  TempDir tmp;
  for (HookKind kind : {HookKind::kPreReceive, HookKind::kUpdate, HookKind::kPostReceive, HookKind::kPreCommit}) {
    for (const char* chained : {"", "x.pushgate-chained"}) {
      WrapperSpec spec{kind, "/opt/it's here/pushgate", "/etc/a b.yaml", chained};
      std::string path = tmp.path() + "/w";
      REQUIRE(WriteFileAtomic(path, RenderWrapper(spec), 0755).ok());
      auto r = Sh("sh -n w && (command -v dash >/dev/null && dash -n w || true)", tmp.path());
      INFO(RenderWrapper(spec));
      CHECK(r.code == 0);
      CHECK(IsManagedHook(path));
    }
  }
  REQUIRE(WriteFileAtomic(tmp.path() + "/other", "#!/bin/sh\n# pushgate is great\nexit 0\n", 0755).ok());
  CHECK_FALSE(IsManagedHook(tmp.path() + "/other"));
  CHECK_FALSE(IsManagedHook(tmp.path() + "/absent"));
  fs::create_symlink(tmp.path() + "/w", tmp.path() + "/link");
  CHECK_FALSE(IsManagedHook(tmp.path() + "/link"));
  CHECK(ShellQuote("a'b") == "'a'\\''b'");
}

TEST_CASE("uninstall removes only the directories install created") {
  TempDir tmp;
  std::string repo = InitBare(tmp.path() + "/repo.git");
  FakeGate gate(tmp.path() + "/bin");
  // An administrator's empty hooks/update.d existed before; pre-receive.d did not.
  fs::create_directories(repo + "/hooks/update.d");
  std::string before = Snapshot(repo);
  REQUIRE(Install(Request(InstallTarget::kGitea, repo, gate.path())).ok());
  CHECK(fs::exists(repo + "/hooks/pre-receive.d/.pushgate-created"));
  CHECK_FALSE(fs::exists(repo + "/hooks/update.d/.pushgate-created"));
  REQUIRE(Uninstall(Request(InstallTarget::kGitea, repo, "")).ok());
  CHECK(fs::is_directory(repo + "/hooks/update.d"));
  CHECK_FALSE(fs::exists(repo + "/hooks/pre-receive.d"));
  CHECK(Snapshot(repo) == before);
}
