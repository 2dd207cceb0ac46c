// hooks/report.cc: what a person reads. Pushed strings (paths, refs, messages) are shown with
// control and bidi characters escaped in the hook report and in `pushgate scan` text output; the
// JSON output keeps the exact string. End to end through a real push and a real scan.
#include "hooks/report.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/git_fixture.h"

using pushgate::testing::CmdResult;
using pushgate::testing::GitFixture;

namespace {

const std::string kRlo = "\xe2\x80\xae";  // U+202E RIGHT-TO-LEFT OVERRIDE

std::string Key() { return std::string("AKIA") + "QX7T2LMPZ4KDLWRB"; }

struct Gate : GitFixture {
  Gate() {
    InstallGate("version: 1\npolicies:\n  forbidden_paths: [\"**/*.exe\"]\n");
    Commit("README.md", "hello\n", "initial");
    REQUIRE(Push("origin main").code == 0);
  }
};

}  // namespace

TEST_CASE("FormatFinding escapes control and bidi characters in every pushed part") {
  pushgate::Finding f;
  f.rule = "forbidden-path";
  f.ref = "refs/heads/x" + kRlo;
  f.commit = "0123456789abcdef";
  f.path = "a" + kRlo + "gpj.exe";
  f.message = "msg \x1b[2J\n";
  std::string line = pushgate::FormatFinding(f);
  CHECK(line == "pushgate: error: forbidden-path: refs/heads/x\\u202E 0123456789 a\\u202Egpj.exe: msg \\x1b[2J\\x0a");
  CHECK(line.find('\x1b') == std::string::npos);
  // Colour escapes are the product's own and stay.
  CHECK(pushgate::FormatFinding(f, true).find("\x1b[31merror\x1b[0m") != std::string::npos);
  std::string report = pushgate::FormatHookReport({f}, {"note from a policy: " + kRlo}, true, {});
  CHECK(report.find(kRlo) == std::string::npos);
  CHECK(report.find("note from a policy: \\u202E") != std::string::npos);
}

TEST_CASE("a pushed path with a bidi override is shown escaped in the refusal; a plain path lands") {
  Gate g;
  g.Commit("docs/readme.txt", "fine\n", "docs");
  CHECK(g.Push("origin main").code == 0);

  g.Commit("tools/invoice" + kRlo + "fdp.exe", "MZ\n", "add tool");
  auto p = g.Push("origin main");
  INFO(p.all());
  CHECK(p.code != 0);
  CHECK(p.err.find("forbidden-path") != std::string::npos);
  CHECK(p.err.find("tools/invoice\\u202Efdp.exe") != std::string::npos);
  CHECK(p.err.find(kRlo) == std::string::npos);
}

TEST_CASE("scan text output escapes a bidi path; JSON keeps it exact; a clean scan prints nothing") {
  GitFixture g;
  g.Commit("clean.txt", "nothing here\n", "clean");
  auto clean = g.Run("'" + pushgate::testing::PushgateBinary() + "' scan --all .");
  INFO(clean.all());
  CHECK(clean.code == 0);
  CHECK(clean.out.empty());

  g.Commit("conf/a" + kRlo + "vne.txt", "id=" + Key() + "\n", "creds");
  auto text = g.Run("'" + pushgate::testing::PushgateBinary() + "' scan --all .");
  INFO(text.all());
  CHECK(text.code == 1);
  CHECK(text.out.find("conf/a\\u202Evne.txt:1") != std::string::npos);
  CHECK(text.out.find(kRlo) == std::string::npos);

  auto json = g.Run("'" + pushgate::testing::PushgateBinary() + "' scan --all --format json .");
  CHECK(json.code == 1);
  CHECK(json.out.find(kRlo) == std::string::npos);  // written as \u202e by the encoder
  auto j = nlohmann::json::parse(json.out);
  REQUIRE(j["findings"].size() == 1);
  CHECK(j["findings"][0]["path"] == "conf/a" + kRlo + "vne.txt");
}
