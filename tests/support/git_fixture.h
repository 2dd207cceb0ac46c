// Test support: runs real programs (git, ssh-keygen, gpg, pushgate) in a real temporary
// directory. A GitFixture owns a temporary HOME with its own git identity, a bare "server"
// repository and a working clone, so tests push through real receive-pack and quarantine.
//
// Thread-safety: one fixture per test; fixtures share nothing.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/files.h"

namespace pushgate::testing {

struct CmdResult {
  int code = -1;
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

// Runs a bash script in cwd with env added; fails the test if bash cannot start.
CmdResult Sh(const std::string& script, const std::string& cwd, const std::map<std::string, std::string>& env = {});

// Path of the pushgate binary under test and of the source tree.
std::string PushgateBinary();
std::string SourceDir();

class GitFixture {
 public:
  GitFixture();

  const std::string& root() const { return dir_.path(); }
  std::string home() const { return root() + "/home"; }
  std::string server() const { return root() + "/server.git"; }
  std::string work() const { return root() + "/work"; }

  // Environment every command of this fixture runs with: isolated HOME, fixed identities.
  const std::map<std::string, std::string>& env() const { return env_; }

  // Runs a script in the working clone (or in cwd when given).
  CmdResult Run(const std::string& script, const std::string& cwd = "") const;

  // Writes a file in the working clone (creating directories), stages it and commits.
  void Commit(const std::string& path, const std::string& content, const std::string& message = "change");

  // Runs `git push <args>` from the working clone.
  CmdResult Push(const std::string& args = "origin HEAD") const;

  // Object id of rev in the server repository, or "" when it does not resolve.
  std::string ServerRev(const std::string& rev) const;

  // Installs pushgate on the server with `pushgate install --bare`, using config_yaml (written to
  // server.git/pushgate.yaml) when non-empty.
  void InstallGate(const std::string& config_yaml = "");

 private:
  TempDir dir_;
  std::map<std::string, std::string> env_;
};

}  // namespace pushgate::testing
