#include "hooks/audit_log.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "base/files.h"
#include "tests/support/git_fixture.h"

using namespace pushgate;
using nlohmann::json;

namespace {

json Decision(const std::string& kind, const std::string& pusher = "alice") {
  return json{{"decision", kind},
              {"repository", "acme/infra"},
              {"pusher", pusher},
              {"refs", json::array({json{{"ref", "refs/heads/main"},
                                         {"old", std::string(40, 'a')},
                                         {"new", std::string(40, 'b')},
                                         {"kind", "fast-forward"}}})},
              {"findings", json::array()},
              {"overrides", json::array()},
              {"duration_ms", 12}};
}

std::vector<std::string> Lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void WriteLines(const std::string& path, const std::vector<std::string>& lines, bool final_newline = true) {
  std::string data;
  for (size_t i = 0; i < lines.size(); ++i) data += lines[i] + (i + 1 < lines.size() || final_newline ? "\n" : "");
  REQUIRE(WriteFileAtomic(path, data).ok());
}

// A log of n accepted decisions by distinct pushers.
std::string MakeLog(const TempDir& dir, int n) {
  std::string path = dir.path() + "/audit.jsonl";
  for (int i = 0; i < n; ++i) REQUIRE(AppendAuditRecord(path, Decision("accepted", "user" + std::to_string(i))).ok());
  return path;
}

std::string Verify(const std::string& path, Status* status) {
  std::string report;
  *status = VerifyAuditLog(path, &report);
  return report;
}

}  // namespace

TEST_CASE("Appended lines are chained from the genesis hash with consecutive seq") {
  TempDir dir;
  std::string path = MakeLog(dir, 3);
  auto lines = Lines(path);
  REQUIRE(lines.size() == 3);
  std::string prev(64, '0');
  for (size_t i = 0; i < lines.size(); ++i) {
    auto j = nlohmann::ordered_json::parse(lines[i]);
    CHECK(j["v"] == 1);
    CHECK(j["seq"] == i + 1);
    CHECK(j["prev"] == prev);
    CHECK(std::regex_match(j["time"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
    CHECK(j["pusher"] == "user" + std::to_string(i));
    CHECK(j["refs"][0]["kind"] == "fast-forward");
    prev = j["hash"].get<std::string>();
  }
  CHECK(lines[0].rfind("{\"v\":1,\"seq\":1,\"time\":", 0) == 0);
  Status s;
  std::string report = Verify(path, &s);
  CHECK(s.ok());
  CHECK(report.find("3 lines verified") != std::string::npos);
  CHECK(report.find(prev) != std::string::npos);
}

TEST_CASE("The line hash is BLAKE2b-256 of the line without its hash member, as an outside tool computes it") {
  TempDir dir;
  std::string path = MakeLog(dir, 2);
  auto r = testing::Sh(
      "python3 -c '\n"
      "import hashlib, json, re, sys\n"
      "for line in open(sys.argv[1]):\n"
      "    line = line.rstrip(\"\\n\")\n"
      "    h = json.loads(line)[\"hash\"]\n"
      "    body = line.replace(\",\\\"hash\\\":\\\"\" + h + \"\\\"\", \"\", 1)\n"
      "    print(hashlib.blake2b(body.encode(), digest_size=32).hexdigest() == h)\n"
      "' " + path,
      dir.path());
  REQUIRE(r.code == 0);
  CHECK(r.out == "True\nTrue\n");
}

TEST_CASE("The record time can be given and is written as RFC 3339 UTC") {
  TempDir dir;
  AuditAppendOptions options;
  options.time = std::chrono::system_clock::from_time_t(1700000000);
  auto r = AppendAuditRecord(dir.path() + "/a.jsonl", Decision("rejected"), options);
  REQUIRE(r.ok());
  CHECK(r->seq == 1);
  CHECK(r->line.find("\"time\":\"2023-11-14T22:13:20Z\"") != std::string::npos);
}

TEST_CASE("Malformed decisions are refused before anything is written") {
  TempDir dir;
  std::string path = dir.path() + "/a.jsonl";
  CHECK(AppendAuditRecord(path, json::array()).status().code() == Status::Code::kInvalidArgument);
  CHECK(AppendAuditRecord(path, json{{"repository", "x"}}).status().code() == Status::Code::kInvalidArgument);
  CHECK(AppendAuditRecord(path, json{{"decision", "maybe"}}).status().code() == Status::Code::kInvalidArgument);
  json reserved = Decision("accepted");
  reserved["seq"] = 7;
  auto r = AppendAuditRecord(path, reserved);
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(r.status().message().find("\"seq\"") != std::string::npos);
  CHECK(!PathExists(path));
}

TEST_CASE("Strings that are not UTF-8 are stored replaced and the log still verifies") {
  TempDir dir;
  std::string path = dir.path() + "/a.jsonl";
  json d = Decision("rejected");
  d["findings"] = json::array({json{{"path", std::string("bad\xff\xfe name\n\"quoted\"")}, {"line", 3}}});
  REQUIRE(AppendAuditRecord(path, d).ok());
  REQUIRE(AppendAuditRecord(path, Decision("accepted")).ok());
  auto lines = Lines(path);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("\\ufffd") != std::string::npos);
  Status s;
  Verify(path, &s);
  CHECK(s.ok());
}

TEST_CASE("An edited line is named by its line number") {
  TempDir dir;
  std::string path = MakeLog(dir, 4);
  auto lines = Lines(path);
  lines[1].replace(lines[1].find("accepted"), 8, "rejected");
  WriteLines(path, lines);
  Status s;
  std::string report = Verify(path, &s);
  CHECK(s.code() == Status::Code::kCorruption);
  CHECK(report == s.message());
  CHECK(report.find("audit.jsonl:2: content does not match its hash") != std::string::npos);
}

TEST_CASE("An edit whose hash was recomputed breaks the chain at the next line") {
  TempDir dir;
  std::string path = MakeLog(dir, 4);
  auto lines = Lines(path);
  auto j = nlohmann::ordered_json::parse(lines[1]);
  j["pusher"] = "mallory";
  j["hash"] = AuditLineHash(j);
  lines[1] = j.dump();
  WriteLines(path, lines);
  Status s;
  std::string report = Verify(path, &s);
  CHECK(!s.ok());
  CHECK(report.find(":3: prev does not match the hash of line 2") != std::string::npos);
}

TEST_CASE("A reformatted line with the same meaning is still an edit") {
  TempDir dir;
  std::string path = MakeLog(dir, 2);
  auto lines = Lines(path);
  lines[0].replace(lines[0].find("\"decision\":"), 11, "\"decision\": ");
  WriteLines(path, lines);
  Status s;
  std::string report = Verify(path, &s);
  CHECK(report.find(":1: line is not in canonical form") != std::string::npos);
}

TEST_CASE("A deleted line is named by the seq gap") {
  TempDir dir;
  std::string path = MakeLog(dir, 4);
  auto lines = Lines(path);
  lines.erase(lines.begin() + 1);
  WriteLines(path, lines);
  Status s;
  std::string report = Verify(path, &s);
  CHECK(report.find(":2: seq is 3, expected 2") != std::string::npos);
}

TEST_CASE("A deleted first line is detected at line 1") {
  TempDir dir;
  std::string path = MakeLog(dir, 3);
  auto lines = Lines(path);
  lines.erase(lines.begin());
  WriteLines(path, lines);
  Status s;
  std::string report = Verify(path, &s);
  CHECK(report.find(":1: seq is 2, expected 1") != std::string::npos);
}

TEST_CASE("Reordered lines are detected at the first moved line") {
  TempDir dir;
  std::string path = MakeLog(dir, 4);
  auto lines = Lines(path);
  std::swap(lines[2], lines[3]);
  WriteLines(path, lines);
  Status s;
  std::string report = Verify(path, &s);
  CHECK(report.find(":3: seq is 4, expected 3") != std::string::npos);
}

TEST_CASE("A renumbered line that hides a deletion fails the prev chain") {
  TempDir dir;
  std::string path = MakeLog(dir, 4);
  auto lines = Lines(path);
  lines.erase(lines.begin() + 1);
  for (size_t i = 1; i < lines.size(); ++i) {
    auto j = nlohmann::ordered_json::parse(lines[i]);
    j["seq"] = i + 1;
    j["hash"] = AuditLineHash(j);
    lines[i] = j.dump();
  }
  WriteLines(path, lines);
  Status s;
  std::string report = Verify(path, &s);
  CHECK(report.find(":2: prev does not match the hash of line 1") != std::string::npos);
}

TEST_CASE("A truncated last line is reported and further appends are refused") {
  TempDir dir;
  std::string path = MakeLog(dir, 3);
  auto lines = Lines(path);
  lines[2].resize(lines[2].size() / 2);
  WriteLines(path, lines, /*final_newline=*/false);
  Status s;
  std::string report = Verify(path, &s);
  CHECK(report.find(":3: incomplete line") != std::string::npos);
  auto r = AppendAuditRecord(path, Decision("accepted"));
  CHECK(r.status().code() == Status::Code::kCorruption);
  CHECK(r.status().message().find("incomplete") != std::string::npos);
  CHECK(Lines(path).size() == 3);
}

TEST_CASE("Garbage in the log gives a clear error, never a crash") {
  TempDir dir;
  std::string path = dir.path() + "/a.jsonl";
  for (const std::string& garbage :
       {std::string("not json\n"), std::string("[1,2,3]\n"), std::string("{\"v\":1}\n"),
        std::string("{\"v\":2,\"seq\":1}\n"), std::string(1 << 20, '{') + "\n", std::string("\0\0\0\n", 4),
        std::string("{\"v\":1,\"seq\":-1,\"time\":\"x\",\"prev\":\"0\",\"hash\":\"0\",\"decision\":\"accepted\"}\n")}) {
    REQUIRE(WriteFileAtomic(path, garbage).ok());
    Status s;
    std::string report = Verify(path, &s);
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK(report.find("a.jsonl:1: ") != std::string::npos);
    CHECK(AppendAuditRecord(path, Decision("accepted")).status().code() == Status::Code::kCorruption);
  }
}

TEST_CASE("A missing log is NotFound and an empty log verifies") {
  TempDir dir;
  Status s;
  Verify(dir.path() + "/missing.jsonl", &s);
  CHECK(s.code() == Status::Code::kNotFound);
  REQUIRE(WriteFileAtomic(dir.path() + "/empty.jsonl", "").ok());
  std::string report = Verify(dir.path() + "/empty.jsonl", &s);
  CHECK(s.ok());
  CHECK(report.find("0 lines verified") != std::string::npos);
}

TEST_CASE("An unwritable log location is an IO error") {
  TempDir dir;
  auto r = AppendAuditRecord(dir.path() + "/no/such/dir/audit.jsonl", Decision("accepted"));
  CHECK(r.status().code() == Status::Code::kIOError);
  r = AppendAuditRecord(dir.path(), Decision("accepted"));
  CHECK(!r.ok());
}

TEST_CASE("Sixteen processes appending at once give one well-formed chain") {
  TempDir dir;
  std::string path = dir.path() + "/audit.jsonl";
  constexpr int kProcesses = 16;
  constexpr int kPerProcess = 4;
  int gate[2];
  REQUIRE(pipe(gate) == 0);
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(gate[1]);
      char c;
      while (read(gate[0], &c, 1) > 0) {}  // start together when the parent closes the pipe
      int failures = 0;
      for (int i = 0; i < kPerProcess; ++i) {
        json d = Decision("accepted", "p" + std::to_string(p) + "-" + std::to_string(i));
        d["findings"] = json::array({json{{"message", std::string(20000, 'x')}}});  // larger than a pipe write
        if (!AppendAuditRecord(path, d).ok()) ++failures;
      }
      _exit(failures);
    }
    children.push_back(pid);
  }
  close(gate[0]);
  close(gate[1]);
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  Status s;
  std::string report = Verify(path, &s);
  INFO(report);
  CHECK(s.ok());
  auto lines = Lines(path);
  REQUIRE(lines.size() == kProcesses * kPerProcess);
  std::set<std::string> pushers;
  for (const auto& l : lines) pushers.insert(json::parse(l)["pusher"].get<std::string>());
  CHECK(pushers.size() == kProcesses * kPerProcess);
}

TEST_CASE("The syslog summary is one short line with the chain position") {
  json line = Decision("rejected", "eve\nFAKE: injected");
  line["seq"] = 9;
  line["hash"] = std::string(64, 'c');
  line["findings"] = json::array({json::object(), json::object()});
  std::string s = AuditSyslogSummary(line);
  CHECK(s.find('\n') == std::string::npos);
  CHECK(s.find("seq=9 decision=rejected repository=acme/infra pusher=eve?FAKE: injected refs=refs/heads/main "
               "findings=2 overrides=0 hash=cccc") != std::string::npos);
  TempDir dir;
  AuditAppendOptions options;
  options.syslog = true;
  CHECK(AppendAuditRecord(dir.path() + "/a.jsonl", Decision("accepted"), options).ok());
}

TEST_CASE("Appending after a last line longer than the read chunk continues the chain") {
  TempDir dir;
  std::string path = dir.path() + "/a.jsonl";
  json big = Decision("rejected");
  big["findings"] = json::array({json{{"message", std::string(300000, 'm')}}});
  auto first = AppendAuditRecord(path, big);
  REQUIRE(first.ok());
  auto second = AppendAuditRecord(path, Decision("accepted"));
  REQUIRE(second.ok());
  CHECK(second->seq == 2);
  CHECK(json::parse(second->line)["prev"] == first->hash);
  Status s;
  Verify(path, &s);
  CHECK(s.ok());
}

TEST_CASE("A log holding only an empty line is damaged, not a fresh start") {
  TempDir dir;
  std::string path = dir.path() + "/a.jsonl";
  REQUIRE(WriteFileAtomic(path, "\n").ok());
  CHECK(AppendAuditRecord(path, Decision("accepted")).status().code() == Status::Code::kCorruption);
  Status s;
  std::string report = Verify(path, &s);
  CHECK(report.find("a.jsonl:1: not a JSON object") != std::string::npos);
}
