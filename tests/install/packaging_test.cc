// Tests of what `cmake --install` ships: the example configuration is valid, the man page renders
// and documents every command and option the binary's --help lists, and the install tree holds
// the binary, the man page, the example configuration and the documentation.
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "base/files.h"
#include "tests/support/git_fixture.h"

using pushgate::ReadFile;
using pushgate::TempDir;
using pushgate::testing::CmdResult;
using pushgate::testing::PushgateBinary;
using pushgate::testing::Sh;
using pushgate::testing::SourceDir;

namespace {

CmdResult Pushgate(const std::string& args) {
  return Sh("'" + PushgateBinary() + "' " + args, "/", {{"NO_COLOR", "1"}, {"COLUMNS", "200"}});
}

// The names listed under "Subcommands:" in a --help text.
std::vector<std::string> Subcommands(const std::string& help) {
  std::vector<std::string> out;
  std::istringstream in(help);
  std::string line;
  bool in_list = false;
  while (std::getline(in, line)) {
    if (line.rfind("Subcommands:", 0) == 0) {
      in_list = true;
      continue;
    }
    static const std::regex kEntry(R"(^  ([a-z][a-z-]*)\s)");
    std::smatch m;
    if (in_list && std::regex_search(line, m, kEntry)) out.push_back(m[1]);
  }
  return out;
}

// Every --long option named in a --help text.
std::set<std::string> LongOptions(const std::string& help) {
  std::set<std::string> out;
  static const std::regex kOption(R"((^|[ ,])(--[a-z][a-z-]*))");
  std::istringstream in(help);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("Excludes:") != std::string::npos) line = line.substr(0, line.find("Excludes:"));
    for (std::sregex_iterator it(line.begin(), line.end(), kOption), end; it != end; ++it) out.insert((*it)[2]);
  }
  return out;
}

std::string ManPage() {
  auto text = ReadFile(SourceDir() + "/install/pushgate.1");
  REQUIRE(text.ok());
  // roff escapes the hyphens of option names; compare with plain text.
  return std::regex_replace(*text, std::regex(R"(\\-)"), "-");
}

// The trust files the example configuration names, relative to its directory; an administrator
// creates them before the configuration is used.
const char* const kExampleTrustFiles[] = {"allowed_signers", "breakglass_signers"};

void WriteExampleTrustFiles(const std::string& dir) {
  for (const char* name : kExampleTrustFiles) {
    REQUIRE(pushgate::WriteFileAtomic(dir + "/" + name, "# principal ssh-ed25519 AAAA... (one line per signer)\n").ok());
  }
}

}  // namespace

TEST_CASE("the example configuration passes pushgate config check once the files it names exist") {
  TempDir dir("pushgate-example");
  auto text = ReadFile(SourceDir() + "/install/pushgate.example.yaml");
  REQUIRE(text.ok());
  REQUIRE(pushgate::WriteFileAtomic(dir.path() + "/pushgate.yaml", *text).ok());

  // As shipped, the signer files it names do not exist yet: config check says so, naming each key.
  auto missing = Pushgate("config check '" + dir.path() + "/pushgate.yaml'");
  INFO(missing.all());
  CHECK(missing.code == 2);
  CHECK(missing.err.find("signers.allowed_signers: ") != std::string::npos);
  CHECK(missing.err.find("breakglass.approvers: ") != std::string::npos);

  WriteExampleTrustFiles(dir.path());
  auto r = Pushgate("config check '" + dir.path() + "/pushgate.yaml'");
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(r.out.find(": ok") != std::string::npos);
}

TEST_CASE("the example configuration names every top-level section of the configuration") {
  auto text = ReadFile(SourceDir() + "/install/pushgate.example.yaml");
  REQUIRE(text.ok());
  for (const char* section : {"version", "on_error", "limits", "secrets", "teams", "signers", "environments",
                              "policies", "breakglass", "audit"}) {
    INFO(section);
    CHECK(std::regex_search(*text, std::regex(std::string("(^|\n)") + section + ":")));
  }
}

TEST_CASE("the man page documents every command and option that --help lists") {
  const std::string man = ManPage();
  auto top = Pushgate("--help");
  REQUIRE(top.code == 0);
  auto commands = Subcommands(top.out);
  REQUIRE(commands.size() >= 10);
  for (const auto& opt : LongOptions(top.out)) {
    INFO(opt);
    CHECK(man.find(opt) != std::string::npos);
  }
  for (const auto& cmd : commands) {
    INFO(cmd);
    CHECK(man.find("pushgate " + cmd) != std::string::npos);
    auto help = Pushgate(cmd + " --help");
    REQUIRE(help.code == 0);
    for (const auto& opt : LongOptions(help.out)) {
      INFO(cmd << " " << opt);
      CHECK(man.find(opt) != std::string::npos);
    }
    for (const auto& sub : Subcommands(help.out)) {
      INFO(cmd << " " << sub);
      CHECK(man.find("pushgate " + cmd + " " + sub) != std::string::npos);
      auto sub_help = Pushgate(cmd + " " + sub + " --help");
      REQUIRE(sub_help.code == 0);
      for (const auto& opt : LongOptions(sub_help.out)) {
        INFO(cmd << " " << sub << " " << opt);
        CHECK(man.find(opt) != std::string::npos);
      }
    }
  }
}

TEST_CASE("the man page renders without roff warnings") {
  auto r = Sh("groff -man -z -ww '" + SourceDir() + "/install/pushgate.1'", "/");
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(r.err.empty());
}

TEST_CASE("cmake --install puts the binary, man page, example configuration and documents in place") {
  TempDir dest("pushgate-install");
  std::string build = std::filesystem::path(PushgateBinary()).parent_path().string();
  auto r = Sh("DESTDIR='" + dest.path() + "' cmake --install '" + build + "'", "/");
  INFO(r.all());
  REQUIRE(r.code == 0);
  auto found = Sh("find . -type f | LC_ALL=C sort", dest.path());
  INFO(found.out);
  std::string bin;
  for (const char* suffix : {"/bin/pushgate", "/man/man1/pushgate.1", "/pushgate/pushgate.yaml.example",
                             "/doc/pushgate/README.md"}) {
    INFO(suffix);
    std::regex file(std::string("\\./\\S*") + suffix + "\n");
    std::smatch m;
    REQUIRE(std::regex_search(found.out, m, file));
    if (std::string(suffix) == "/bin/pushgate") bin = dest.path() + "/" + m.str().substr(2, m.length() - 3);
  }
  auto version = Sh("'" + bin + "' --version", "/");
  CHECK(version.code == 0);
  CHECK(version.out.find("pushgate ") == 0);
  auto example_path = Sh("find \"$PWD\" -name pushgate.yaml.example", dest.path());
  REQUIRE(example_path.code == 0);
  std::string example_file = example_path.out.substr(0, example_path.out.find('\n'));
  WriteExampleTrustFiles(std::filesystem::path(example_file).parent_path().string());
  auto example = Sh("'" + bin + "' config check '" + example_file + "'", "/");
  INFO(example.all());
  CHECK(example.code == 0);
  CHECK(example.out.find(": ok") != std::string::npos);
}
