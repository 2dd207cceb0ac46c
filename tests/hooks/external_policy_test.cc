// End-to-end tests of policies.external: pushgate installed on a real bare repository, real
// `git push`, and policy commands that are real scripts written next to the repositories.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>

#include "base/files.h"
#include "tests/support/git_fixture.h"

using pushgate::testing::CmdResult;
using pushgate::testing::GitFixture;

namespace {

// A fixture with one accepted commit on main and no policy yet.
struct Gate : GitFixture {
  Gate() {
    Commit("README.md", "hello\n", "initial");
    auto r = Push("origin main");
    INFO(r.all());
    REQUIRE(r.code == 0);
  }

  // Writes an executable bash script under the fixture's root and returns its path.
  std::string Script(const std::string& name, const std::string& body) const {
    std::string path = root() + "/" + name;
    REQUIRE(pushgate::WriteFileAtomic(path, "#!/bin/bash\n" + body, 0755).ok());
    return path;
  }

  // Installs the gate with one external policy.
  void Policy(const std::string& id, const std::string& program, const std::string& paths = "[\"**/*.yaml\"]",
              int timeout_seconds = 30, const std::string& extra = "") {
    InstallGate(extra + "policies:\n  external:\n    - id: " + id + "\n      command: [\"" + program +
                "\"]\n      paths: " + paths + "\n      timeout_seconds: " + std::to_string(timeout_seconds) + "\n");
  }

  std::string Head() const { return Run("git rev-parse HEAD").out.substr(0, 40); }
};

// The policy output lines the pusher saw, without the "remote: pushgate: note: <rule>: " prefix.
std::vector<std::string> NoteLines(const CmdResult& r, const std::string& id) {
  std::vector<std::string> lines;
  std::istringstream in(r.err);
  std::string prefix = "remote: pushgate: note: external/" + id + ": ";
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.rfind(prefix, 0) == 0) lines.push_back(line.substr(prefix.size()));
  }
  return lines;
}

bool Has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("a policy command that exits 1 refuses the push and its output reaches the pusher") {
  Gate g;
  g.Policy("lint", g.Script("lint.sh", "echo 'replicas must be at least 2'\necho 'see the runbook' >&2\nexit 1\n"));
  std::string before = g.ServerRev("main");
  g.Commit("deploy/app.yaml", "replicas: 1\n", "deploy");
  auto r = g.Push("origin main");
  INFO(r.err);
  CHECK(r.code != 0);
  CHECK(Has(r.err, "remote: pushgate: error: external/lint: refs/heads/main"));
  CHECK(Has(r.err, "policy command exited with status 1"));
  auto notes = NoteLines(r, "lint");
  CHECK(notes == std::vector<std::string>{"replicas must be at least 2", "see the runbook"});
  CHECK(Has(r.err, "pushgate: error: push refused"));
  CHECK(g.ServerRev("main") == before);
}

TEST_CASE("a policy command that exits 0 lets the push land") {
  Gate g;
  g.Policy("lint", g.Script("lint.sh", "test -f deploy/app.yaml\n"));
  g.Commit("deploy/app.yaml", "replicas: 3\n", "deploy");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(g.ServerRev("main") == g.Head());
}

TEST_CASE("a policy command that outlives timeout_seconds is killed and refuses promptly") {
  Gate g;
  g.Policy("slow", g.Script("slow.sh", "sleep 120\nexit 0\n"), "[\"**/*.yaml\"]", 1);
  std::string before = g.ServerRev("main");
  g.Commit("a.yaml", "a: 1\n", "a");
  auto start = std::chrono::steady_clock::now();
  auto r = g.Push("origin main");
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  INFO(r.err);
  CHECK(r.code != 0);
  CHECK(seconds < 60);  // far below the sleep, with room for a loaded machine
  CHECK(Has(r.err, "external/slow: refs/heads/main"));
  CHECK(Has(r.err, "policy command did not finish within 1 s"));
  CHECK(g.ServerRev("main") == before);
}

TEST_CASE("the push's own time budget cuts a policy command's longer timeout") {
  Gate g;
  g.Policy("slow", g.Script("slow.sh", "sleep 120\n"), "[\"**/*.yaml\"]", 60, "limits:\n  timeout_seconds: 2\n");
  g.Commit("a.yaml", "a: 1\n", "a");
  auto start = std::chrono::steady_clock::now();
  auto r = g.Push("origin main");
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  INFO(r.err);
  CHECK(r.code != 0);
  CHECK(seconds < 60);  // far below the sleep, with room for a loaded machine
  CHECK(Has(r.err, "external/slow"));
  CHECK(Has(r.err, "limits.timeout_seconds (2 s)"));
}

TEST_CASE("the command gets exactly the changed matching files, with their content at the new tip") {
  Gate g;
  // Already on the server and not changed by the push: not given.
  g.Commit("old.yaml", "old: true\n", "old");
  REQUIRE(g.Push("origin main").code == 0);
  g.Policy("files", g.Script("files.sh",
                             "find . -type f | sort\n"
                             "echo \"a=$(cat a.yaml)\"\n"
                             "test -x tools/run.yaml && echo 'run is executable'\n"
                             "exit 1\n"));
  g.Commit("a.yaml", "version: 1\n", "a v1");
  g.Commit("dir/deep/x.yaml", "x: 1\n", "x");
  g.Commit("notes.txt", "not yaml\n", "txt");
  g.Commit("gone.yaml", "gone: 1\n", "gone");
  g.Commit("a.yaml", "version: 2\n", "a v2");
  g.Commit("tools/run.yaml", "run: 1\n", "run");
  auto setup = g.Run("chmod +x tools/run.yaml && ln -s a.yaml link.yaml && git add -A && git rm -q gone.yaml && "
                     "git commit -qm 'exec bit, symlink, delete'");
  REQUIRE(setup.code == 0);
  auto r = g.Push("origin main");
  INFO(r.err);
  CHECK(r.code != 0);
  auto notes = NoteLines(r, "files");
  std::set<std::string> files;
  for (const auto& n : notes) {
    if (n.rfind("./", 0) == 0) files.insert(n);
  }
  CHECK(files == std::set<std::string>{"./a.yaml", "./dir/deep/x.yaml", "./tools/run.yaml"});
  CHECK(std::find(notes.begin(), notes.end(), "a=version: 2") != notes.end());
  CHECK(std::find(notes.begin(), notes.end(), "run is executable") != notes.end());
  CHECK(Has(r.err, "pushgate: error: external/files: refs/heads/main " + g.Head().substr(0, 10) + ": "));
}

TEST_CASE("the command's environment names the push and hides the repository") {
  Gate g;
  std::string out = g.root() + "/env.txt";
  g.Policy("env", g.Script("env.sh",
                           "{ echo \"ref=$PUSHGATE_REF\"; echo \"old=$PUSHGATE_OLD\"; echo \"new=$PUSHGATE_NEW\";\n"
                           "  echo \"pusher=$PUSHGATE_PUSHER\"; echo \"repo=$PUSHGATE_REPOSITORY\";\n"
                           "  echo \"policy=$PUSHGATE_POLICY\"; echo \"files=$(echo \"$PUSHGATE_FILES\" | tr '\\n' ,)\";\n"
                           "  echo \"git_dir=${GIT_DIR-unset} quarantine=${GIT_QUARANTINE_PATH-unset}\";\n"
                           "  echo \"objects=${GIT_OBJECT_DIRECTORY-unset}\"; echo \"cwd=$PWD\";\n"
                           "  git rev-parse --git-dir >/dev/null 2>&1 && echo 'in a repository' || echo 'no repository';\n"
                           "  echo \"stdin=$(cat)\"; } > '" + out + "'\n"));
  std::string old = g.ServerRev("main");
  g.Commit("k8s/a.yaml", "a: 1\n", "a");
  g.Commit("k8s/b.yaml", "b: 1\n", "b");
  auto r = g.Push("origin main");
  INFO(r.all());
  REQUIRE(r.code == 0);
  auto env = pushgate::ReadFile(out);
  REQUIRE(env.ok());
  INFO(*env);
  CHECK(Has(*env, "ref=refs/heads/main\n"));
  CHECK(Has(*env, "old=" + old + "\n"));
  CHECK(Has(*env, "new=" + g.Head() + "\n"));
  CHECK(Has(*env, "pusher=alice\n"));
  CHECK(Has(*env, "server.git\n"));
  CHECK(Has(*env, "policy=env\n"));
  CHECK(Has(*env, "files=k8s/a.yaml,k8s/b.yaml,\n"));
  CHECK(Has(*env, "git_dir=unset quarantine=unset\n"));
  CHECK(Has(*env, "objects=unset\n"));
  CHECK_FALSE(Has(*env, "cwd=" + g.server()));
  CHECK(Has(*env, "no repository\n"));
  CHECK(Has(*env, "stdin=\n"));
  // The directory of files is removed after the run.
  auto cwd_line = env->substr(env->find("cwd=") + 4);
  CHECK_FALSE(pushgate::PathExists(cwd_line.substr(0, cwd_line.find('\n'))));
}

TEST_CASE("a policy command that does not exist refuses with a message naming it") {
  Gate g;
  SECTION("an absolute path") {
    g.Policy("missing", g.root() + "/no-such-policy");
    g.Commit("a.yaml", "a: 1\n", "a");
    auto r = g.Push("origin main");
    INFO(r.err);
    CHECK(r.code != 0);
    CHECK(Has(r.err, "external/missing: refs/heads/main"));
    CHECK(Has(r.err, "policy command not run: cannot start " + g.root() + "/no-such-policy: No such file"));
  }
  SECTION("a name not on PATH") {
    g.Policy("missing", "pushgate-no-such-program");
    g.Commit("a.yaml", "a: 1\n", "a");
    auto r = g.Push("origin main");
    INFO(r.err);
    CHECK(r.code != 0);
    CHECK(Has(r.err, "policy command not run: 'pushgate-no-such-program' was not found on PATH"));
  }
}

TEST_CASE("a pushed file named like the program is never run in its place") {
  Gate g;
  std::string marker = g.root() + "/pushed-ran";
  // With "." on PATH an ordinary lookup would find the pushed script in the working directory.
  g.Policy("lint", "lint-policy", "[\"**\"]");
  g.Commit("lint-policy", "#!/bin/sh\ntouch '" + marker + "'\n", "a program");
  REQUIRE(g.Run("chmod +x lint-policy && git commit -qam 'exec'").code == 0);
  auto r = pushgate::testing::Sh("PATH=.:$PATH git push origin main", g.work(), g.env());
  INFO(r.err);
  CHECK(r.code != 0);
  CHECK(Has(r.err, "policy command not run: 'lint-policy' was not found on PATH"));
  CHECK_FALSE(pushgate::PathExists(marker));
}

TEST_CASE("without a changed matching file the command does not run") {
  Gate g;
  std::string marker = g.root() + "/ran";
  g.Policy("lint", g.Script("lint.sh", "touch '" + marker + "'\nexit 1\n"));
  g.Commit("src/main.c", "int main;\n", "code");
  auto r = g.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK_FALSE(pushgate::PathExists(marker));

  // A push that only deletes a matching file gives the command nothing either.
  g.Run("rm -f '" + g.server() + "/hooks/pre-receive' '" + g.server() + "/hooks/update'");
  g.Commit("a.yaml", "a: 1\n", "a");
  REQUIRE(g.Push("origin main").code == 0);
  g.InstallGate();
  REQUIRE(g.Run("git rm -q a.yaml && git commit -qm 'drop a'").code == 0);
  auto d = g.Push("origin main");
  INFO(d.all());
  CHECK(d.code == 0);
  CHECK_FALSE(pushgate::PathExists(marker));

  // A new branch at commits the server already has brings no new changes.
  CHECK(g.Push("origin main:refs/heads/copy").code == 0);
  CHECK_FALSE(pushgate::PathExists(marker));
}

TEST_CASE("a policy without paths gets every changed file") {
  Gate g;
  g.Policy("all", g.Script("all.sh", "find . -type f | sort\nexit 1\n"), "[]");
  g.Commit("src/main.c", "int main;\n", "code");
  auto r = g.Push("origin main");
  INFO(r.err);
  CHECK(r.code != 0);
  CHECK(NoteLines(r, "all") == std::vector<std::string>{"./src/main.c"});
}

TEST_CASE("a policy command killed by a signal refuses and says so") {
  Gate g;
  g.Policy("crash", g.Script("crash.sh", "kill -TERM $$\n"));
  g.Commit("a.yaml", "a: 1\n", "a");
  auto r = g.Push("origin main");
  INFO(r.err);
  CHECK(r.code != 0);
  CHECK(Has(r.err, "policy command was killed by signal 15"));
}

TEST_CASE("a policy command's output is cleaned of control characters and capped") {
  Gate g;
  g.Policy("noisy", g.Script("noisy.sh",
                             "printf 'colour \\033[31mred\\033[0m\\tand tab\\r\\n'\n"
                             "for i in $(seq 1 5000); do echo \"line $i\"; done\nexit 3\n"));
  g.Commit("a.yaml", "a: 1\n", "a");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(Has(r.err, "policy command exited with status 3"));
  auto notes = NoteLines(r, "noisy");
  REQUIRE(notes.size() == 201);
  CHECK(notes.front() == "colour ?[31mred?[0m\\x09and tab");  // a tab is shown escaped, as every control
  CHECK(notes[199] == "line 199");
  CHECK(Has(notes.back(), "output cut at 200 lines"));
  CHECK_FALSE(Has(r.err, "\033"));
}

TEST_CASE("a policy command's endless output line is cut, and the push is still judged") {
  Gate g;
  g.Policy("flood", g.Script("flood.sh", "head -c 300000 /dev/zero | tr '\\0' x\necho\necho last >&2\nexit 1\n"));
  g.Commit("a.yaml", "a: 1\n", "a");
  auto r = g.Push("origin main");
  CHECK(r.code != 0);
  CHECK(Has(r.err, "policy command exited with status 1"));
  auto notes = NoteLines(r, "flood");
  REQUIRE(notes.size() == 2);
  CHECK(notes[0] == std::string(1000, 'x') + " [...]");
  CHECK(Has(notes[1], "output cut"));
}

TEST_CASE("pushed paths that would escape the directory or plant a repository are refused") {
  Gate g;
  std::string marker = g.root() + "/ran";
  g.Policy("lint", g.Script("lint.sh", "touch '" + marker + "'\n"), "[\"**\"]");
  // Trees that git checkout refuses but receive-pack stores unless receive.fsckObjects is set.
  auto made = g.Run(
      "blob=$(printf 'x: 1\\n' | git hash-object -w --stdin) && "
      "cfg=$(printf '[core]\\n\\tfsmonitor = touch pwned\\n' | git hash-object -w --stdin) && "
      "dotgit=$(printf '100644 blob %s\\tconfig\\n' $cfg | git mktree) && "
      "dotdot=$(printf '100644 blob %s\\tescape.yaml\\n' $blob | git mktree) && "
      "sub=$(printf '040000 tree %s\\t..\\n' $dotdot | git mktree) && "
      "root=$( (git ls-tree HEAD; printf '040000 tree %s\\t.GIT\\n040000 tree %s\\tup\\n100644 blob %s\\tok.yaml\\n' "
      "$dotgit $sub $blob) | git mktree) && "
      "c=$(git commit-tree $root -p HEAD -m hostile) && git reset -q --soft $c");
  INFO(made.all());
  if (made.code != 0) {
    WARN("this git refuses to build trees with '..' or '.git' entries; nothing to test");
    return;
  }
  auto r = g.Push("origin main");
  INFO(r.err);
  CHECK(r.code != 0);
  CHECK(Has(r.err, ".GIT/config: cannot give this file to the policy command: the path contains a '.git' component"));
  CHECK(Has(r.err, "up/../escape.yaml: cannot give this file to the policy command: the path contains '..'"));
  // The safe file still went to the command, and nothing was written outside its directory.
  CHECK(pushgate::PathExists(marker));
  CHECK_FALSE(pushgate::PathExists(g.root() + "/escape.yaml"));
  CHECK_FALSE(pushgate::PathExists(g.server() + "/pwned"));
}
