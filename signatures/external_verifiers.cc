#include "signatures/external_verifiers.h"

#include <sys/stat.h>

#include <filesystem>
#include <sstream>

#include "base/files.h"
#include "base/subprocess.h"

namespace pushgate::signatures {
namespace {

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.size() > 300 ? line.substr(0, 300) : line;
}

}  // namespace

Result<ExternalVerdict> VerifyWithSshKeygen(const std::string& allowed_signers_path, std::string_view principal,
                                            std::string_view ns, std::string_view armored_signature,
                                            std::string_view message, std::chrono::milliseconds timeout) {
  TempDir dir("pushgate-sshsig");
  if (dir.path().empty()) return Status::IOError("cannot create a temporary directory");
  std::string sig_path = dir.path() + "/commit.sig";
  PG_RETURN_IF_ERROR(WriteFileAtomic(sig_path, std::string(armored_signature), 0600));
  ProcessOptions options;
  options.stdin_data = std::string(message);
  options.timeout = timeout;
  options.set_env = {{"HOME", dir.path()}};  // keep ssh-keygen away from the hook user's ~/.ssh
  auto run = RunProcess({"ssh-keygen", "-Y", "verify", "-f", allowed_signers_path, "-I", std::string(principal), "-n",
                         std::string(ns), "-s", sig_path},
                        options);
  if (!run.ok()) return run.status().Prefixed("ssh-keygen");
  if (run->timed_out) return Status::Timeout("ssh-keygen -Y verify timed out");
  ExternalVerdict verdict;
  std::string all = run->out + run->err;
  verdict.detail = FirstLine(all);
  size_t fp = all.find("SHA256:");
  if (fp != std::string::npos) verdict.fingerprint = all.substr(fp, all.find_first_of(" \n", fp) - fp);
  verdict.outcome = run->exit_code == 0 ? ExternalVerdict::Outcome::kGood : ExternalVerdict::Outcome::kBad;
  return verdict;
}

Result<ExternalVerdict> VerifyWithGpg(const std::string& keyring_path, std::string_view armored_signature,
                                      std::string_view message, std::chrono::milliseconds timeout) {
  TempDir dir("pushgate-gpg");
  if (dir.path().empty()) return Status::IOError("cannot create a temporary directory");
  chmod(dir.path().c_str(), 0700);  // gpg refuses a group- or world-readable home
  std::string sig_path = dir.path() + "/commit.sig";
  PG_RETURN_IF_ERROR(WriteFileAtomic(sig_path, std::string(armored_signature), 0600));
  std::error_code ec;
  std::string keyring = std::filesystem::absolute(keyring_path, ec).string();
  ProcessOptions options;
  options.stdin_data = std::string(message);
  options.timeout = timeout;
  options.set_env = {{"GNUPGHOME", dir.path()}};
  auto run = RunProcess({"gpg", "--batch", "--no-tty", "--no-default-keyring", "--keyring", keyring,
                         "--trust-model", "always", "--no-auto-key-retrieve", "--status-fd", "1", "--verify",
                         sig_path, "-"},
                        options);
  if (!run.ok()) return run.status().Prefixed("gpg");
  if (run->timed_out) return Status::Timeout("gpg --verify timed out");

  ExternalVerdict verdict;
  verdict.outcome = ExternalVerdict::Outcome::kUnknownKey;
  verdict.detail = FirstLine(run->err);
  bool good = false, valid = false, bad = false, expired = false, error = false;
  std::istringstream lines(run->out);
  std::string line;
  int signatures = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string prefix, keyword;
    words >> prefix >> keyword;
    if (prefix != "[GNUPG:]") continue;
    if (keyword == "NEWSIG") ++signatures;
    if (keyword == "GOODSIG") good = true;
    if (keyword == "BADSIG") bad = true;
    if (keyword == "EXPKEYSIG" || keyword == "REVKEYSIG") expired = true;
    if (keyword == "ERRSIG") error = true;
    if (keyword == "VALIDSIG") {
      valid = true;
      // VALIDSIG <fpr> <date> <ts> <expire> <ver> <reserved> <pk-algo> <hash-algo> <class> <primary-fpr>
      std::string fields[10];
      words >> verdict.fingerprint;
      for (auto& f : fields) words >> f;
      verdict.primary_fingerprint = fields[8];
    }
  }
  if (signatures > 1) {
    verdict.outcome = ExternalVerdict::Outcome::kBad;
    verdict.detail = "more than one signature";
  } else if (bad) {
    verdict.outcome = ExternalVerdict::Outcome::kBad;
  } else if (expired) {
    verdict.outcome = ExternalVerdict::Outcome::kExpiredKey;
  } else if (good && valid && run->exit_code == 0) {
    verdict.outcome = ExternalVerdict::Outcome::kGood;
  } else if (error) {
    verdict.outcome = ExternalVerdict::Outcome::kUnknownKey;
  } else {
    verdict.outcome = ExternalVerdict::Outcome::kBad;
  }
  return verdict;
}

}  // namespace pushgate::signatures
