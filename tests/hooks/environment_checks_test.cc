// Live environments end to end: real keys made by ssh-keygen and gpg, real signed commits made by
// `git commit -S`, pushed through the installed gate (hooks/environment_checks.cc).
#include <catch2/catch.hpp>
#include <chrono>

#include "tests/support/git_fixture.h"

using pushgate::testing::CmdResult;
using pushgate::testing::GitFixture;

namespace {

// A server whose main branch has a CODEOWNERS naming alice for live/prod, before the gate is on.
struct LiveRepo : GitFixture {
  std::string keys;

  explicit LiveRepo(const std::string& approver = "signer", const std::string& signer_options = "") {
    keys = root() + "/keys";
    REQUIRE(Run("mkdir -p " + keys + " && for u in alice bob mallory; do ssh-keygen -q -t ed25519 -N '' -C $u -f " +
                keys + "/$u; done")
                .code == 0);
    REQUIRE(Run("ssh-keygen -q -t rsa -b 2048 -N '' -C carol -f " + keys + "/carol").code == 0);
    // mallory's key is not trusted; carol's is RSA.
    REQUIRE(Run("{ echo \"alice@example.com " + signer_options + " $(cat " + keys +
                "/alice.pub)\"; echo \"bob@example.com $(cat " + keys + "/bob.pub)\"; echo \"carol@example.com $(cat " +
                keys + "/carol.pub)\"; } > " + root() + "/allowed_signers")
                .code == 0);
    Run("git config gpg.format ssh && git config gpg.ssh.allowedSignersFile " + root() + "/allowed_signers");
    Commit("CODEOWNERS", "/live/prod/ alice@example.com carol@example.com\n/CODEOWNERS alice@example.com\n", "owners");
    Commit("live/prod/app.yaml", "replicas: 1\n", "first");
    REQUIRE(Push("origin main").code == 0);
    InstallGate(Config("refs/heads/main", approver));
  }

  // The gate's configuration: one environment on `refs` (a YAML flow list's items) for live/prod.
  std::string Config(const std::string& refs, const std::string& approver = "signer", const std::string& extra = "") {
    return "version: 1\nsigners: { allowed_signers: " + root() + "/allowed_signers }\n" + extra +
           "environments:\n  - name: production\n    refs: [" + refs + "]\n    paths: [\"live/prod/**\"]\n" +
           "    require_signed: true\n    require_codeowners: true\n    approver: " + approver + "\n";
  }

  // Writes a commit object by hand (tree, parents) as `who`, unsigned, and returns its id.
  std::string CommitTree(const std::string& tree, const std::vector<std::string>& parents, const std::string& who = "bob") {
    std::string cmd = "GIT_COMMITTER_NAME=" + who + " GIT_COMMITTER_EMAIL=" + who + "@example.com git commit-tree " + tree;
    for (const auto& p : parents) cmd += " -p " + p;
    auto r = Run(cmd + " -m handmade");
    REQUIRE(r.code == 0);
    return r.out.substr(0, 40);
  }

  std::string Rev(const std::string& rev) { return Run("git rev-parse " + rev).out.substr(0, 40); }

  // Commits a change to path as `who` (name and e-mail), signed with `key` ("" = unsigned).
  void As(const std::string& who, const std::string& key, const std::string& path, const std::string& content,
          const std::string& msg = "change") {
    std::string sign = key.empty() ? "-c commit.gpgsign=false" : "-c commit.gpgsign=true -c user.signingkey=" + keys + "/" + key;
    REQUIRE(Run("mkdir -p \"$(dirname '" + path + "')\" && printf '%s' '" + content + "' > '" + path + "' && git add '" + path +
                "' && GIT_COMMITTER_NAME=" + who + " GIT_COMMITTER_EMAIL=" + who + "@example.com git " + sign +
                " commit -q -m '" + msg + "'")
                .code == 0);
  }
};

}  // namespace

TEST_CASE("a live change signed by its owner lands; unsigned is refused") {
  LiveRepo r;
  r.As("alice", "alice", "live/prod/app.yaml", "replicas: 2\n");
  auto ok = r.Push("origin main");
  INFO(ok.all());
  CHECK(ok.code == 0);

  r.As("alice", "", "live/prod/app.yaml", "replicas: 3\n");
  std::string before = r.ServerRev("main");
  auto bad = r.Push("origin main");
  CHECK(bad.code != 0);
  CHECK(bad.err.find("signed-commit: refs/heads/main") != std::string::npos);
  CHECK(bad.err.find("unsigned") != std::string::npos);
  CHECK(r.ServerRev("main") == before);
}

TEST_CASE("changes outside live paths need no signature") {
  LiveRepo r;
  r.As("bob", "", "docs/readme.md", "hello\n");
  CHECK(r.Push("origin main").code == 0);
}

TEST_CASE("an untrusted key, a principal that is not the committer, and an expired key are refused") {
  SECTION("untrusted key") {
    LiveRepo r;
    r.As("alice", "mallory", "live/prod/app.yaml", "x: 1\n");
    auto p = r.Push("origin main");
    CHECK(p.code != 0);
    CHECK(p.err.find("unknown-key") != std::string::npos);
  }
  SECTION("principal mismatch") {
    LiveRepo r;
    r.As("bob", "alice", "live/prod/app.yaml", "x: 2\n");
    auto p = r.Push("origin main");
    CHECK(p.code != 0);
    CHECK(p.err.find("principal-mismatch") != std::string::npos);
  }
  SECTION("expired key") {
    LiveRepo r("signer", "valid-before=\\\"20200101\\\"");
    r.As("alice", "alice", "live/prod/app.yaml", "x: 3\n");
    auto p = r.Push("origin main");
    INFO(p.all());
    CHECK(p.code != 0);
    CHECK(p.err.find("signed-commit") != std::string::npos);
  }
}

TEST_CASE("a trusted signer who is not an owner is refused by codeowners") {
  LiveRepo r;
  r.As("bob", "bob", "live/prod/app.yaml", "replicas: 9\n");
  auto p = r.Push("origin main");
  CHECK(p.code != 0);
  CHECK(p.err.find("codeowners: refs/heads/main") != std::string::npos);
  CHECK(p.err.find("bob@example.com is not an owner") != std::string::npos);
  CHECK(p.err.find("signed-commit") == std::string::npos);
}

TEST_CASE("a push that rewrites CODEOWNERS to add the pusher is judged by the old file") {
  LiveRepo r;
  r.As("bob", "bob", "CODEOWNERS", "/live/prod/ alice@example.com bob@example.com\n", "take over");
  r.As("bob", "bob", "live/prod/app.yaml", "replicas: 5\n");
  auto p = r.Push("origin main");
  CHECK(p.code != 0);
  CHECK(p.err.find("codeowners") != std::string::npos);
}

TEST_CASE("a signature block moved into the message body is not a signature") {
  LiveRepo r;
  r.As("alice", "alice", "live/prod/app.yaml", "replicas: 4\n");
  // Rebuild the signed commit with its gpgsig header moved into the message.
  auto forged = r.Run(
      "git cat-file commit HEAD | awk 'BEGIN{h=1} h&&/^gpgsig /{s=1} s&&h{sig=sig substr($0, (/^gpgsig /?8:2)) \"\\n\"; "
      "if(/-----END/){s=0}; next} h&&/^$/{h=0; print; next} {print} END{printf \"\\n%s\", sig}' "
      "| git hash-object -t commit -w --stdin");
  REQUIRE(forged.code == 0);
  std::string id = forged.out.substr(0, 40);
  CHECK(r.Run("git cat-file commit " + id + " | grep -c '^gpgsig'").out.substr(0, 1) == "0");
  CHECK(r.Run("git cat-file commit " + id + " | grep -c 'BEGIN SSH SIGNATURE'").out.substr(0, 1) == "1");
  r.Run("git reset -q --hard " + id);
  auto p = r.Push("origin main");
  CHECK(p.code != 0);
  CHECK(p.err.find("signed-commit") != std::string::npos);
  CHECK(p.err.find("unsigned") != std::string::npos);
}

TEST_CASE("one unsigned commit in the middle of a 50-commit push is found and named") {
  LiveRepo r;
  std::string bad;
  for (int i = 0; i < 50; ++i) {
    r.As("alice", i == 25 ? "" : "alice", "live/prod/app.yaml", "n: " + std::to_string(i) + "\n");
    if (i == 25) bad = r.Run("git rev-parse HEAD").out.substr(0, 10);
  }
  auto p = r.Push("origin main");
  CHECK(p.code != 0);
  CHECK(p.err.find("signed-commit: refs/heads/main " + bad) != std::string::npos);
  CHECK(std::count(p.err.begin(), p.err.end(), '\n') < 12);  // only that commit is reported
}

TEST_CASE("RSA signatures verify through ssh-keygen when the fallback is on, and are refused when off") {
  LiveRepo r;
  r.As("carol", "carol", "live/prod/app.yaml", "rsa: 1\n");
  auto ok = r.Push("origin main");
  INFO(ok.all());
  CHECK(ok.code == 0);
  r.InstallGate("version: 1\nsigners: { allowed_signers: " + r.root() + "/allowed_signers, ssh_fallback: false }\n" +
                "environments:\n  - name: production\n    refs: [refs/heads/main]\n    paths: [\"live/prod/**\"]\n" +
                "    require_signed: true\n");
  r.As("carol", "carol", "live/prod/app.yaml", "rsa: 2\n");
  auto off = r.Push("origin main");
  CHECK(off.code != 0);
  CHECK(off.err.find("unsupported") != std::string::npos);
  CHECK(off.err.find("rsa") != std::string::npos);
}

TEST_CASE("approver: pusher uses the pushing user instead of the signature") {
  LiveRepo r("pusher");
  r.As("alice", "alice", "live/prod/app.yaml", "p: 1\n");
  // USER is alice in the fixture; CODEOWNERS names e-mails, so map the user name through teams.
  r.InstallGate("version: 1\nsigners: { allowed_signers: " + r.root() + "/allowed_signers }\n" +
                "environments:\n  - name: production\n    refs: [refs/heads/main]\n    paths: [\"live/prod/**\"]\n" +
                "    require_codeowners: true\n    approver: pusher\n");
  auto as_bob = pushgate::testing::Sh("USER=bob git push origin main", r.work(), r.env());
  CHECK(as_bob.code != 0);
  CHECK(as_bob.err.find("pusher bob is not an owner") != std::string::npos);
  auto as_alice = pushgate::testing::Sh("USER=alice@example.com git push origin main", r.work(), r.env());
  INFO(as_alice.all());
  CHECK(as_alice.code == 0);
}

TEST_CASE("a GitLab section needing two approvals takes a second owner's signed approval") {
  LiveRepo r;
  // CODEOWNERS is a live path: its owner's signed change lands, and governs the next push.
  r.As("alice", "alice", "CODEOWNERS",
       "[Production][2]\n/live/prod/ alice@example.com bob@example.com\n[Owners]\n/CODEOWNERS alice@example.com\n", "sections");
  REQUIRE(r.Push("origin main").code == 0);
  r.Run("git config receive.advertisePushOptions true", r.server());
  r.InstallGate("version: 1\nsigners: { allowed_signers: " + r.root() + "/allowed_signers }\n" +
                "environments:\n  - name: production\n    refs: [refs/heads/main]\n    paths: [\"live/prod/**\"]\n" +
                "    require_signed: true\n    require_codeowners: true\n    codeowners: { dialect: gitlab }\n");

  r.As("alice", "alice", "live/prod/app.yaml", "replicas: 7\n");
  auto one = r.Push("origin main");
  CHECK(one.code != 0);
  CHECK(one.err.find("needs 2 approvals from owners, has 1") != std::string::npos);

  std::string repo = r.Run("cd '" + r.server() + "' && pwd -P").out;
  repo.pop_back();
  std::string pg = "'" + pushgate::testing::PushgateBinary() + "'";
  auto approve = [&](const std::string& key, const std::string& new_oid) {
    auto a = r.Run(pg + " approve --key " + r.keys + "/" + key + " --repo '" + repo + "' --ref refs/heads/main --old " +
                   r.ServerRev("main") + " --new " + new_oid);
    INFO(a.all());
    REQUIRE(a.code == 0);
    return a.out.substr(0, a.out.size() - 1);
  };
  std::string head = r.Run("git rev-parse HEAD").out.substr(0, 40);
  // An untrusted key and an approval of another commit do not count.
  std::string mallory = approve("mallory", head);
  std::string other = approve("bob", r.ServerRev("main"));
  auto bad = r.Push("-o approve=" + mallory + " -o approve=" + other + " origin main");
  CHECK(bad.code != 0);
  CHECK(bad.err.find("approval not counted") != std::string::npos);
  // The second owner's approval of this exact push makes two.
  auto good = r.Push("-o approve=" + approve("bob", head) + " origin main");
  INFO(good.all());
  CHECK(good.code == 0);
}

// Holes found by pushing as a hostile pusher would: each of these landed an unsigned or
// unapproved live change before the push model judged every change a ref receives.

TEST_CASE("a commit that also deletes a file still touches its live paths") {
  LiveRepo r;
  r.Commit("docs/readme.md", "hello\n", "docs");
  REQUIRE(r.Push("origin main").code == 0);
  // One commit: an unsigned live change plus a deletion elsewhere.
  REQUIRE(r.Run("printf 'replicas: 50\\n' > live/prod/app.yaml && git rm -q docs/readme.md && git add -A && "
                "git -c commit.gpgsign=false commit -q -m 'scale and tidy'").code == 0);
  auto p = r.Push("origin main");
  INFO(p.all());
  CHECK(p.code != 0);
  CHECK(p.err.find("signed-commit: refs/heads/main") != std::string::npos);
  CHECK(p.err.find("live/prod/app.yaml") != std::string::npos);
  // Its twin, signed by the owner, lands.
  r.Run("git reset -q --hard origin/main");
  REQUIRE(r.Run("git rm -q docs/readme.md && printf 'replicas: 50\\n' > live/prod/app.yaml && git add -A && "
                "GIT_COMMITTER_NAME=alice GIT_COMMITTER_EMAIL=alice@example.com git -c commit.gpgsign=true "
                "-c user.signingkey=" + r.keys + "/alice commit -q -m 'scale and tidy'").code == 0);
  auto ok = r.Push("origin main");
  INFO(ok.all());
  CHECK(ok.code == 0);
}

TEST_CASE("a merge that rolls a live path back to an older version is judged against every parent") {
  LiveRepo r;
  std::string old = r.Rev("HEAD");
  r.As("alice", "alice", "live/prod/app.yaml", "replicas: 2\n");
  REQUIRE(r.Push("origin main").code == 0);
  std::string tip = r.Rev("HEAD");

  SECTION("first parent is an older commit") {
    // Tree of the old commit, parents (old, tip): nothing changes against the first parent.
    std::string merge = r.CommitTree(old + "^{tree}", {old, tip});
    auto p = r.Push("origin " + merge + ":refs/heads/main");
    INFO(p.all());
    CHECK(p.code != 0);
    CHECK(p.err.find("signed-commit: refs/heads/main " + merge.substr(0, 10)) != std::string::npos);
    CHECK(r.ServerRev("main") == tip);
  }
  SECTION("first parent is an orphan that deletes live/prod") {
    std::string empty_tree = r.Run("git mktree </dev/null").out.substr(0, 40);
    std::string orphan = r.CommitTree(empty_tree, {});
    std::string merge = r.CommitTree(empty_tree, {orphan, tip});
    auto p = r.Push("origin " + merge + ":refs/heads/main");
    INFO(p.all());
    CHECK(p.code != 0);
    CHECK(p.err.find("live/prod/app.yaml") != std::string::npos);
    CHECK(r.ServerRev("main") == tip);
  }
  SECTION("a merge signed by the owner lands") {
    REQUIRE(r.Run("git checkout -q -b side " + old + " && git -c commit.gpgsign=false commit -q --allow-empty -m side && "
                  "git checkout -q main && GIT_COMMITTER_NAME=alice GIT_COMMITTER_EMAIL=alice@example.com "
                  "git -c commit.gpgsign=true -c user.signingkey=" + r.keys + "/alice merge -q --no-ff -s ours --no-edit side")
                .code == 0);
    auto ok = r.Push("origin main");
    INFO(ok.all());
    CHECK(ok.code == 0);
  }
}

TEST_CASE("an environment ref created from commits judged only on an ordinary branch judges them") {
  LiveRepo r;
  r.InstallGate(r.Config("refs/heads/main, \"refs/heads/release/*\", \"refs/tags/v*\""));
  r.Run("git checkout -q -b feature");
  r.As("bob", "", "live/prod/app.yaml", "replicas: 99\n");
  auto feature = r.Push("origin feature");
  INFO(feature.all());
  REQUIRE(feature.code == 0);  // not an environment ref: no signature needed

  auto release = r.Push("origin feature:refs/heads/release/1");
  INFO(release.all());
  CHECK(release.code != 0);
  CHECK(release.err.find("signed-commit: refs/heads/release/1") != std::string::npos);
  CHECK(r.ServerRev("release/1").empty());

  r.Run("git tag v1.0 && git tag -a -m 'release' v1.1");
  auto light = r.Push("origin v1.0");
  CHECK(light.code != 0);
  CHECK(light.err.find("signed-commit: refs/tags/v1.0") != std::string::npos);
  auto annotated = r.Push("origin v1.1");
  CHECK(annotated.code != 0);
  CHECK(annotated.err.find("signed-commit: refs/tags/v1.1") != std::string::npos);

  // The twin: a release made from the owner's signed work lands.
  r.Run("git checkout -q main");
  r.As("alice", "alice", "live/prod/app.yaml", "replicas: 3\n");
  REQUIRE(r.Push("origin main").code == 0);
  auto good = r.Push("origin main:refs/heads/release/2");
  INFO(good.all());
  CHECK(good.code == 0);
}

TEST_CASE("the ownership file is a live path: it cannot be taken over one push earlier") {
  LiveRepo r;
  SECTION("an unsigned rewrite of CODEOWNERS") {
    r.As("bob", "", "CODEOWNERS", "* bob@example.com\n", "take over");
    auto p = r.Push("origin main");
    INFO(p.all());
    CHECK(p.code != 0);
    CHECK(p.err.find("CODEOWNERS") != std::string::npos);
  }
  SECTION("a signed rewrite by a trusted signer who does not own it") {
    r.As("bob", "bob", "CODEOWNERS", "* bob@example.com\n", "take over");
    auto p = r.Push("origin main");
    CHECK(p.code != 0);
    CHECK(p.err.find("codeowners: refs/heads/main") != std::string::npos);
  }
  SECTION("a new, higher-precedence .github/CODEOWNERS") {
    r.As("bob", "bob", ".github/CODEOWNERS", "* bob@example.com\n", "outrank");
    auto p = r.Push("origin main");
    INFO(p.all());
    CHECK(p.code != 0);
    CHECK(p.err.find(".github/CODEOWNERS") != std::string::npos);
    CHECK(r.ServerRev("main:.github/CODEOWNERS").empty());
  }
  SECTION("its owner's signed change lands") {
    r.As("alice", "alice", "CODEOWNERS", "/live/prod/ alice@example.com bob@example.com\n/CODEOWNERS alice@example.com\n");
    auto ok = r.Push("origin main");
    INFO(ok.all());
    CHECK(ok.code == 0);
  }
}

TEST_CASE("one person is one approval, whatever names a team lists for them") {
  LiveRepo r;
  r.As("alice", "alice", "CODEOWNERS",
       "[Production][2]\n/live/prod/ @prod\n[Owners]\n/CODEOWNERS alice@example.com\n", "sections");
  REQUIRE(r.Push("origin main").code == 0);
  r.InstallGate(r.Config("refs/heads/main", "signer",
                         "teams: { \"@prod\": [alice, alice@example.com, bob@example.com] }\n") +
                "    codeowners: { dialect: gitlab }\n");
  r.As("alice", "alice", "live/prod/app.yaml", "replicas: 8\n");
  // alice signs and pushes: her signature (alice@example.com) and her account (alice) are one person.
  auto p = pushgate::testing::Sh("USER=alice git push origin main", r.work(), r.env());
  INFO(p.all());
  CHECK(p.code != 0);
  CHECK(p.err.find("needs 2 approvals from owners, has 1") != std::string::npos);
  // A pusher who is a different person in allowed_signers (bob, listed by account name) is a second approval.
  REQUIRE(r.Run("sed -i 's/^bob@example.com /bob@example.com,bob /' " + r.root() + "/allowed_signers").code == 0);
  auto two = pushgate::testing::Sh("USER=bob git push origin main", r.work(), r.env());
  INFO(two.all());
  CHECK(two.code == 0);
}

TEST_CASE("missing or broken trust files refuse live changes even with on_error: allow") {
  LiveRepo r;
  r.As("alice", "", "live/prod/app.yaml", "replicas: 4\n");
  SECTION("allowed_signers missing") {
    r.InstallGate("version: 1\non_error: allow\nsigners: { allowed_signers: " + r.root() + "/missing }\n" +
                  "environments:\n  - name: production\n    refs: [refs/heads/main]\n    paths: [\"live/prod/**\"]\n" +
                  "    require_signed: true\n");
    auto p = r.Push("origin main");
    INFO(p.all());
    CHECK(p.code != 0);
    CHECK(p.err.find("signed-commit") != std::string::npos);
  }
  SECTION("allowed_signers malformed") {
    REQUIRE(r.Run("echo 'alice@example.com ssh-ed25519 not-base64!' > " + r.root() + "/broken").code == 0);
    r.InstallGate("version: 1\non_error: allow\nsigners: { allowed_signers: " + r.root() + "/broken }\n" +
                  "environments:\n  - name: production\n    refs: [refs/heads/main]\n    paths: [\"live/prod/**\"]\n" +
                  "    require_signed: true\n");
    auto p = r.Push("origin main");
    INFO(p.all());
    CHECK(p.code != 0);
  }
}

TEST_CASE("slow signature checks stop at the time budget with a limits finding naming the stage") {
  LiveRepo r;
  r.InstallGate(r.Config("refs/heads/main", "signer", "limits: { timeout_seconds: 2 }\n"));
  // Commits signed with carol's RSA key: each goes through ssh-keygen -Y verify.
  REQUIRE(r.Run("for i in $(seq 1 400); do echo \"n: $i\" > live/prod/app.yaml && git add live/prod/app.yaml && "
                "GIT_COMMITTER_NAME=carol GIT_COMMITTER_EMAIL=carol@example.com git -c commit.gpgsign=true "
                "-c user.signingkey=" + r.keys + "/carol commit -q -m \"n $i\" || exit 1; done").code == 0);
  auto start = std::chrono::steady_clock::now();
  auto p = r.Push("origin main");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(p.all());
  CHECK(p.code != 0);
  CHECK(p.err.find("time budget spent while checking signatures") != std::string::npos);
  CHECK(seconds < 2 + 10);  // the budget plus a stated overshoot, with room for a loaded machine
}
