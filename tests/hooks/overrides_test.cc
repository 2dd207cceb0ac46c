// Break-glass overrides and the audit log end to end: approver keys made by
// `pushgate breakglass keygen` and ssh-keygen, tokens sent with `git push -o breakglass=...`.
#include "hooks/overrides.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/git_fixture.h"

using pushgate::testing::CmdResult;
using pushgate::testing::GitFixture;

namespace {

struct Glass : GitFixture {
  std::string pg = "'" + pushgate::testing::PushgateBinary() + "'";
  std::string repo;  // the repository identity the gate uses: the server's absolute path

  explicit Glass(int approvals = 1) {
    Commit("README.md", "hi\n", "initial");
    REQUIRE(Push("origin main").code == 0);
    Run("git config receive.advertisePushOptions true", server());
    repo = Run("cd '" + server() + "' && pwd -P").out;
    repo.pop_back();
    for (const char* who : {"bob", "carol", "alice"}) {
      auto k = Run(pg + " breakglass keygen --out " + root() + "/" + who + ".key --principal " + who, root());
      REQUIRE(k.code == 0);
      if (std::string(who) != "alice" || approvals > 0) {
        Run("echo '" + k.out.substr(0, k.out.size() - 1) + "' >> " + root() + "/approvers", root());
      }
    }
    Run("ssh-keygen -q -t ed25519 -N '' -C mallory -f " + root() + "/mallory", root());
    InstallGate("version: 1\npolicies: { forbidden_paths: ['*.tfstate'] }\n"
                "breakglass:\n  approvers: " + root() + "/approvers\n  used_tokens: " + root() + "/used\n"
                "  required_approvals: " + std::to_string(approvals) + "\n  two_person: true\n"
                "audit: { log: " + root() + "/audit.jsonl }\n");
    Commit("prod.tfstate", "{}\n", "state file");  // refused without a token
  }

  std::string Head() { return Run("git rev-parse HEAD").out.substr(0, 40); }

  std::string Sign(const std::string& key, const std::string& extra = "", const std::string& rules = "forbidden-path",
                   const std::string& ref = "refs/heads/main") {
    auto r = Run(pg + " breakglass sign --key " + key + " --repo '" + repo + "' --ref " + ref + " --old " +
                 ServerRev("main") + " --new " + Head() + " --rules " + rules + " --reason 'incident 42' " + extra);
    INFO(r.all());
    REQUIRE(r.code == 0);
    return r.out.substr(0, r.out.size() - 1);
  }

  CmdResult PushWith(const std::vector<std::string>& tokens, const std::string& user = "alice") {
    std::string opts;
    for (const auto& t : tokens) opts += " -o 'breakglass=" + t + "'";
    return pushgate::testing::Sh("USER=" + user + " git push" + opts + " origin main", work(), env());
  }

  std::vector<nlohmann::json> AuditLines() {
    std::vector<nlohmann::json> out;
    auto text = pushgate::ReadFile(root() + "/audit.jsonl");
    if (!text.ok()) return out;
    size_t start = 0;
    while (start < text->size()) {
      size_t nl = text->find('\n', start);
      out.push_back(nlohmann::json::parse(text->substr(start, nl - start)));
      start = nl + 1;
    }
    return out;
  }
};

}  // namespace

TEST_CASE("a signed token lets exactly its push through and is audited") {
  Glass g;
  auto refused = g.PushWith({});
  CHECK(refused.code != 0);
  CHECK(refused.err.find("pushgate breakglass sign") != std::string::npos);  // how to ask for one
  std::string token = g.Sign(g.root() + "/bob.key");
  auto r = g.PushWith({token});
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(r.err.find("approved by bob") != std::string::npos);
  CHECK(g.ServerRev("main") == g.Head());
  auto lines = g.AuditLines();
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["decision"] == "rejected");
  CHECK(lines[0]["outcome"] == "refused");
  CHECK(lines[1]["decision"] == "overridden");
  CHECK(lines[1]["outcome"] == "pending");
  CHECK(lines[2]["decision"] == "landed");  // post-receive: the ref really moved
  CHECK(lines[2]["refs"][0]["new"] == g.Head());
  CHECK(lines[2]["tokens_spent"].size() == 1);
  CHECK(lines[1]["pusher"] == "alice");
  CHECK(lines[1]["overrides"][0]["approvers"][0] == "bob");
  CHECK(lines[1]["findings"][0]["rule"] == "forbidden-path");
  CHECK(lines[1]["findings"][0]["waived"] == true);
  CHECK(g.Run(g.pg + " audit verify " + g.root() + "/audit.jsonl").code == 0);
}

TEST_CASE("a used token is refused on a replay and on another commit") {
  Glass g;
  std::string old = g.ServerRev("main");
  std::string token = g.Sign(g.root() + "/bob.key");
  REQUIRE(g.PushWith({token}).code == 0);
  // Replay: the server is put back and the very same push is tried again.
  g.Run("git update-ref refs/heads/main " + old, g.server());
  auto replay = g.PushWith({token});
  CHECK(replay.code != 0);
  CHECK(replay.err.find("already used") != std::string::npos);
  // Another commit.
  g.Commit("other.tfstate", "{}\n", "more state");
  auto other = g.PushWith({token});
  CHECK(other.code != 0);
  CHECK(g.AuditLines().back()["decision"] == "override-refused");
}

TEST_CASE("tokens for another ref or repository, expired, tampered or by an unknown key are refused") {
  Glass g;
  std::string before = g.ServerRev("main");
  std::vector<std::string> bad = {
      g.Sign(g.root() + "/bob.key", "", "forbidden-path", "refs/heads/other"),
      g.Sign(g.root() + "/mallory"),  // an OpenSSH key that is not an approver
      g.Sign(g.root() + "/bob.key", "", "secret/aws-access-key-id"),  // does not waive the blocking rule
  };
  std::string tampered = g.Sign(g.root() + "/bob.key");
  tampered[12] = tampered[12] == 'A' ? 'B' : 'A';
  bad.push_back(tampered);
  for (const auto& t : bad) {
    auto r = g.PushWith({t});
    CHECK(r.code != 0);
    CHECK(r.err.find("refused") != std::string::npos);
  }
  std::string expiring = g.Sign(g.root() + "/bob.key", "--ttl 1");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto expired = g.PushWith({expiring});
  CHECK(expired.code != 0);
  CHECK(expired.err.find("expired") != std::string::npos);
  CHECK(g.ServerRev("main") == before);
  for (const auto& line : g.AuditLines()) CHECK(line["decision"] == "override-refused");
}

TEST_CASE("k-of-n approvals and the two-person rule") {
  Glass g(2);
  std::string one = g.Sign(g.root() + "/bob.key");
  auto short_of = g.PushWith({one});
  CHECK(short_of.code != 0);
  // The pusher's own co-signature does not count under two_person.
  auto self = g.Run(g.pg + " breakglass sign --key " + g.root() + "/alice.key --cosign " + one);
  REQUIRE(self.code == 0);
  CHECK(g.PushWith({self.out.substr(0, self.out.size() - 1)}).code != 0);
  // A second approver co-signs the same payload; both tokens go as push options and merge.
  auto carol = g.Run(g.pg + " breakglass sign --key " + g.root() + "/carol.key --cosign " + one);
  REQUIRE(carol.code == 0);
  auto both = g.PushWith({one, carol.out.substr(0, carol.out.size() - 1)});
  INFO(both.all());
  CHECK(both.code == 0);
}

TEST_CASE("16 concurrent pushes give 16 decisions and 16 landed records, chained; an edit or deletion is detected") {
  GitFixture g;
  g.Commit("README.md", "hi\n", "initial");
  REQUIRE(g.Push("origin main").code == 0);
  g.InstallGate("version: 1\naudit: { log: " + g.root() + "/audit.jsonl }\n");
  std::string script = "for i in $(seq 1 16); do (git push -q origin main:refs/heads/b$i 2>/dev/null) & done; wait";
  CHECK(g.Run(script).code == 0);
  std::string pg = "'" + pushgate::testing::PushgateBinary() + "'";
  auto ok = g.Run(pg + " audit verify " + g.root() + "/audit.jsonl");
  CHECK(ok.code == 0);
  CHECK(g.Run("wc -l < " + g.root() + "/audit.jsonl").out == "32\n");
  CHECK(g.Run("grep -c '\"decision\":\"landed\"' " + g.root() + "/audit.jsonl").out == "16\n");
  g.Run("cp audit.jsonl edited.jsonl && sed -i '5s/\"pusher\":\"/\"pusher\":\"x/' edited.jsonl", g.root());
  auto edited = g.Run(pg + " audit verify " + g.root() + "/edited.jsonl");
  INFO(edited.all());
  CHECK(edited.code == 1);
  CHECK(edited.err.find("edited.jsonl:5:") != std::string::npos);
  g.Run("sed -i '9d' audit.jsonl", g.root());
  auto deleted = g.Run(pg + " audit verify " + g.root() + "/audit.jsonl");
  CHECK(deleted.code == 1);
  CHECK(deleted.err.find("audit.jsonl:9:") != std::string::npos);
}

// A token is spent only when its push lands: before, a later hook's refusal or another ref's
// refusal burned it, and the objects it let into the store could land elsewhere unchecked.

TEST_CASE("a token escapes neither its ref nor a later hook's refusal, and is spent only on landing") {
  Glass g;
  // A chained update hook refuses main after pushgate accepts (gitolite's access rules, say).
  REQUIRE(g.Run(g.pg + " uninstall --bare '" + g.server() + "' && printf '#!/bin/sh\\ncase \"$1\" in "
                "refs/heads/main) [ -e " + g.root() + "/open ] || { echo denied by a later hook >&2; exit 1; };; esac\\n' "
                "> hooks/update && chmod +x hooks/update && " + g.pg + " install --bare '" + g.server() + "'",
                g.server()).code == 0);
  g.Run("git reset -q --hard origin/main");
  g.Commit("deploy/prod.ini", "aws_secret_access_key = q8Jd2kLx0Vn5Rt7Yb3Hc9Wf1Zp6Ms4Ge8Ua2NoPi\n", "a secret");
  std::string before = g.ServerRev("main");
  std::string token = g.Sign(g.root() + "/bob.key", "", "secret/aws-secret-access-key");
  auto waived = g.PushWith({token});
  INFO(waived.all());
  CHECK(waived.code != 0);
  CHECK(waived.err.find("denied by a later hook") != std::string::npos);
  CHECK(g.ServerRev("main") == before);
  auto lines = g.AuditLines();
  REQUIRE(!lines.empty());
  CHECK(lines.back()["decision"] == "overridden");
  CHECK(lines.back()["outcome"] == "pending");  // and no landed record follows

  // The same commit, now in the store, on another ref and without a token: judged again.
  auto other = pushgate::testing::Sh("USER=alice git push origin HEAD:refs/heads/other", g.work(), g.env());
  INFO(other.all());
  CHECK(other.code != 0);
  CHECK(other.err.find("secret/aws-secret-access-key: refs/heads/other") != std::string::npos);
  CHECK(g.ServerRev("other").empty());

  // Once the later hook lets main through, the same exact push with the same token lands...
  g.Run("touch " + g.root() + "/open");
  auto landed = g.PushWith({token});
  INFO(landed.all());
  CHECK(landed.code == 0);
  CHECK(g.ServerRev("main") == g.Head());
  CHECK(g.AuditLines().back()["decision"] == "landed");
  // ...and then it is spent.
  g.Run("git update-ref refs/heads/main " + before, g.server());
  auto replay = g.PushWith({token});
  CHECK(replay.code != 0);
  CHECK(replay.err.find("already used") != std::string::npos);
}

TEST_CASE("a token sent with a push refused for another ref stays good for the same push") {
  Glass g;
  std::string token = g.Sign(g.root() + "/bob.key");
  // main carries the token's push; `other` brings a state file nobody waived.
  g.Run("git branch other && git checkout -q other && git rm -q prod.tfstate && echo '{}' > b.tfstate && "
        "git add b.tfstate && git commit -qm other && git checkout -q main");
  auto both = pushgate::testing::Sh("USER=alice git push -o 'breakglass=" + token + "' origin main other", g.work(), g.env());
  INFO(both.all());
  CHECK(both.code != 0);
  CHECK(both.err.find("forbidden-path: refs/heads/other") != std::string::npos);
  auto retry = g.PushWith({token});
  INFO(retry.all());
  CHECK(retry.code == 0);
  CHECK(g.ServerRev("main") == g.Head());
}

TEST_CASE("one approver with two keys is one approval") {
  Glass g(2);
  // bob's second key, on a line of its own that names him by another principal too.
  auto k = g.Run(g.pg + " breakglass keygen --out " + g.root() + "/bob2.key --principal bob", g.root());
  REQUIRE(k.code == 0);
  REQUIRE(g.Run("echo '" + k.out.substr(0, k.out.size() - 1) + "' | sed 's/^bob /bob@example.com,bob /' >> approvers",
                g.root()).code == 0);
  std::string one = g.Sign(g.root() + "/bob.key");
  auto twice = g.Run(g.pg + " breakglass sign --key " + g.root() + "/bob2.key --cosign " + one);
  REQUIRE(twice.code == 0);
  auto r = g.PushWith({twice.out.substr(0, twice.out.size() - 1)});
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(r.err.find("counted once") != std::string::npos);
  // The twin: a second person co-signs, and the push lands.
  auto carol = g.Run(g.pg + " breakglass sign --key " + g.root() + "/carol.key --cosign " + one);
  REQUIRE(carol.code == 0);
  CHECK(g.PushWith({carol.out.substr(0, carol.out.size() - 1)}).code == 0);
}
