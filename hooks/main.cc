// pushgate's command line (SPEC §2). Each subcommand parses its arguments with CLI11 and calls
// into the layer that implements it; exit codes: 0 accepted/nothing found, 1 refused/findings,
// 2 usage or configuration error, 3 internal error.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>

#include "config/config.h"
#include "hooks/approvals.h"
#include "hooks/breakglass_command.h"
#include "hooks/doctor.h"
#include "hooks/gate.h"
#include "hooks/inspect_command.h"
#include "hooks/referenced_files.h"
#include "hooks/scan_command.h"
#include "install/installer.h"

namespace pg = pushgate;

namespace {

struct GlobalFlags {
  std::string config;
  std::string color = "auto";
  bool quiet = false;
  bool verbose = false;
};

std::string SelfPath(const char* argv0) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) return std::string(buf, static_cast<size_t>(n));
  return std::filesystem::absolute(argv0).string();
}

std::string AbsoluteOrEmpty(const std::string& p) {
  return p.empty() ? p : std::filesystem::absolute(p).lexically_normal().string();
}

pg::GateOptions GateOptionsFrom(const GlobalFlags& g) { return {g.config, g.quiet, g.verbose}; }

pg::CommandOptions CommandOptionsFrom(const GlobalFlags& g) {
  pg::CommandOptions o;
  o.config_path = g.config;
  o.quiet = g.quiet;
  o.verbose = g.verbose;
  bool tty = isatty(STDERR_FILENO) && isatty(STDOUT_FILENO);
  bool no_color = std::getenv("NO_COLOR") && *std::getenv("NO_COLOR");
  o.color = g.color == "always" || (g.color == "auto" && tty && !no_color);
  o.progress = isatty(STDERR_FILENO) && !g.quiet;
  return o;
}

int ConfigCheck(const GlobalFlags& g, const std::string& file) {
  std::string path = file.empty() ? pg::LocateConfig(g.config, std::getenv("GIT_DIR") ? std::getenv("GIT_DIR") : "")
                                  : file;
  auto cfg = pg::LoadConfig(path);
  if (!cfg.ok()) {
    std::cerr << cfg.status().message() << "\n";
    return 2;
  }
  // A file the configuration names but the hook cannot load is as broken as a bad key.
  pg::Status files = pg::CheckReferencedFiles(*cfg);
  if (!files.ok()) {
    std::istringstream lines(files.message());
    for (std::string line; std::getline(lines, line);) std::cerr << cfg->source << ": " << line << "\n";
    return 2;
  }
  if (!g.quiet) std::cout << cfg->source << ": ok\n";
  return 0;
}

// Adds the mutually exclusive target options shared by install and uninstall.
struct TargetFlags {
  std::string bare, gitea, gitea_root, gitlab, gitlab_server_hooks, pre_commit;
  bool pre_commit_set = false;

  void AddTo(CLI::App* cmd) {
    auto* group = cmd->add_option_group("target", "where the hooks go");
    group->add_option("--bare", bare, "a plain bare repository: hooks/pre-receive and hooks/update");
    group->add_option("--gitea", gitea, "a Gitea or Forgejo repository: hooks/pre-receive.d, hooks/update.d");
    group->add_option("--gitea-root", gitea_root, "every OWNER/NAME.git under a Gitea repository root");
    group->add_option("--gitlab", gitlab, "a GitLab repository: custom_hooks/");
    group->add_option("--gitlab-server-hooks", gitlab_server_hooks, "a Gitaly server-wide custom_hooks_dir");
    group->add_option("--pre-commit", pre_commit, "a working repository's pre-commit hook (default: the current one)")
        ->expected(0, 1);
    group->require_option(1);
  }

  pg::InstallRequest Request(CLI::App* cmd) const {
    pg::InstallRequest r;
    auto set = [&](pg::InstallTarget t, const std::string& p) {
      r.target = t;
      r.path = AbsoluteOrEmpty(p);
    };
    if (!bare.empty()) set(pg::InstallTarget::kBare, bare);
    if (!gitea.empty()) set(pg::InstallTarget::kGitea, gitea);
    if (!gitea_root.empty()) set(pg::InstallTarget::kGiteaRoot, gitea_root);
    if (!gitlab.empty()) set(pg::InstallTarget::kGitLab, gitlab);
    if (!gitlab_server_hooks.empty()) set(pg::InstallTarget::kGitLabServerHooks, gitlab_server_hooks);
    if (cmd->get_option_group("target")->get_option("--pre-commit")->count() > 0) {
      set(pg::InstallTarget::kPreCommit, pre_commit);
    }
    return r;
  }
};

void PrintInstallReport(const pg::InstallReport& r, bool quiet) {
  if (quiet) return;
  for (const auto& p : r.written) std::cout << "wrote    " << p << "\n";
  for (const auto& p : r.kept) std::cout << "kept     " << p << "\n";
  for (const auto& p : r.removed) std::cout << "removed  " << p << "\n";
  for (const auto& p : r.restored) std::cout << "restored " << p << "\n";
  for (const auto& n : r.notes) std::cout << "note: " << n << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pushgate: a server-side Git gatekeeper. It refuses pushes that bring secrets, unsigned or "
               "unapproved live-environment changes, or policy violations."};
  app.set_version_flag("--version", std::string("pushgate ") + PUSHGATE_VERSION_STRING);
  app.require_subcommand(1);
  app.fallthrough();  // global flags may follow the subcommand
  GlobalFlags g;
  app.add_option("--config", g.config, "configuration file (default: $PUSHGATE_CONFIG, $GIT_DIR/pushgate.yaml, "
                                       "/etc/pushgate/pushgate.yaml)");
  app.add_option("--color", g.color, "auto|always|never (NO_COLOR is honoured)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_flag("-q,--quiet", g.quiet, "print only errors");
  app.add_flag("-v,--verbose", g.verbose, "print timings and notes");

  auto* pre_receive = app.add_subcommand("pre-receive", "hook: judge the ref updates given on stdin");
  auto* update = app.add_subcommand("update", "hook: judge one ref update");
  auto* post_receive =
      app.add_subcommand("post-receive", "hook: record which refs of a judged push landed (spends break-glass tokens)");
  std::string u_ref, u_old, u_new;
  update->add_option("REF", u_ref)->required();
  update->add_option("OLD", u_old)->required();
  update->add_option("NEW", u_new)->required();

  auto* install = app.add_subcommand("install", "install the hook wrappers");
  TargetFlags install_target;
  install_target.AddTo(install);
  auto* uninstall = app.add_subcommand("uninstall", "remove the hook wrappers and restore chained hooks");
  TargetFlags uninstall_target;
  uninstall_target.AddTo(uninstall);

  auto* scan = app.add_subcommand("scan", "scan files, a repository's history, a range or the staged changes");
  pg::ScanCommand scan_cmd;
  bool scan_all = false, scan_staged = false, scan_no_git = false;
  std::string scan_format = "text";
  scan->add_option("PATH", scan_cmd.path, "file, directory or repository (default: .)");
  auto* rev_opt = scan->add_option("--rev", scan_cmd.range, "a revision range A..B (or one revision and its ancestry)");
  auto* all_opt = scan->add_flag("--all", scan_all, "every blob and message reachable from any ref");
  auto* staged_opt = scan->add_flag("--staged", scan_staged, "the index against HEAD");
  auto* nogit_opt = scan->add_flag("--no-git", scan_no_git, "files on disk, without Git (skips .git/)");
  rev_opt->excludes(all_opt, staged_opt, nogit_opt);
  all_opt->excludes(staged_opt, nogit_opt);
  staged_opt->excludes(nogit_opt);
  scan->add_option("--format", scan_format, "text|json|sarif")->check(CLI::IsMember({"text", "json", "sarif"}));
  scan->add_option("--output", scan_cmd.output, "write the report to FILE");
  scan->add_option("--write-baseline", scan_cmd.write_baseline,
                   "add the fingerprints of every finding to FILE (created if missing) instead of reporting");
  scan->add_option("--threads", scan_cmd.threads, "worker threads (default: one per core)");

  auto* pre_commit = app.add_subcommand("pre-commit", "local hook: scan the staged changes");

  auto* rules = app.add_subcommand("rules", "secret rules");
  rules->require_subcommand(1);
  auto* rules_list = rules->add_subcommand("list", "list the rules in use");
  bool list_patterns = false;
  rules_list->add_flag("--patterns", list_patterns, "print only the patterns, one per line");
  auto* rules_test = rules->add_subcommand("test", "check the rules' examples and negative examples");
  std::vector<std::string> rule_files;
  rules_test->add_option("RULEFILE", rule_files, "rule files to test (default: the built-in rules)");

  auto* verify_commit = app.add_subcommand("verify-commit", "signature status of commits, as the hook sees it");
  std::vector<std::string> verify_revs;
  verify_commit->add_option("REV", verify_revs, "commits to check")->required();

  auto* codeowners = app.add_subcommand("codeowners", "who owns these paths, and by which line");
  std::string owners_rev;
  std::vector<std::string> owner_paths;
  codeowners->add_option("--rev", owners_rev, "read CODEOWNERS at this revision (default HEAD)");
  codeowners->add_option("PATH", owner_paths, "repository paths")->required();

  auto* breakglass = app.add_subcommand("breakglass", "signed break-glass override tokens");
  breakglass->require_subcommand(1);
  auto* bg_keygen = breakglass->add_subcommand("keygen", "make an approver key (Ed25519)");
  std::string bg_out, bg_principal;
  bg_keygen->add_option("--out", bg_out, "secret key file to write (FILE.pub too)")->required();
  bg_keygen->add_option("--principal", bg_principal, "approver name for the approvers file")->required();
  auto* bg_sign = breakglass->add_subcommand("sign", "sign a token for one exact push (or co-sign one)");
  pg::BreakglassSignArgs sign_args;
  bg_sign->add_option("--key", sign_args.key, "approver key file, or an OpenSSH private key")->required();
  bg_sign->add_option("--repo", sign_args.repo, "owner/name on Gitea and GitLab, else the repository's absolute path");
  bg_sign->add_option("--ref", sign_args.ref, "full ref name");
  bg_sign->add_option("--old", sign_args.old_oid, "the ref's current object id");
  bg_sign->add_option("--new", sign_args.new_oid, "the object id being pushed");
  bg_sign->add_option("--rules", sign_args.rules, "rule ids to waive, comma-separated");
  bg_sign->add_option("--reason", sign_args.reason, "why, for the audit log");
  bg_sign->add_option("--ttl", sign_args.ttl_seconds, "lifetime in seconds (default 3600)");
  bg_sign->add_option("--cosign", sign_args.cosign, "add a signature to this token instead");
  auto* bg_verify = breakglass->add_subcommand("verify", "print a token's fields and signers");
  std::string bg_token;
  bg_verify->add_option("TOKEN", bg_token)->required();

  auto* approve = app.add_subcommand("approve", "co-approve one exact push as a CODEOWNERS owner (SSH key)");
  pg::ApprovalTarget approve_target;
  std::string approve_key;
  int64_t approve_ttl = 3600;
  approve->add_option("--key", approve_key, "your OpenSSH private key (the one allowed_signers trusts)")->required();
  approve->add_option("--repo", approve_target.repository, "owner/name on Gitea and GitLab, else the absolute path")
      ->required();
  approve->add_option("--ref", approve_target.ref, "full ref name")->required();
  approve->add_option("--old", approve_target.old_oid, "the ref's current object id")->required();
  approve->add_option("--new", approve_target.new_oid, "the object id being pushed")->required();
  approve->add_option("--ttl", approve_ttl, "lifetime in seconds (default 3600)");

  auto* audit = app.add_subcommand("audit", "audit log commands");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify", "check the hash chain of the audit log");
  std::string audit_log;
  audit_verify->add_option("LOG", audit_log, "log file (default: audit.log of the config)");

  auto* doctor = app.add_subcommand("doctor", "check what makes the gate work, or silently not work, in a repository");
  std::string doctor_repo = ".";
  doctor->add_option("REPO", doctor_repo, "a bare repository, git directory or work tree (default: .)");

  auto* config = app.add_subcommand("config", "configuration commands");
  config->require_subcommand(1);
  auto* config_check = config->add_subcommand("check", "validate a configuration file");
  std::string check_file;
  config_check->add_option("FILE", check_file, "file to check (default: the one the hook would use)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  if (*pre_receive) {
    std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return pg::RunGate(pg::HookMode::kPreReceive, input, GateOptionsFrom(g), std::cerr);
  }
  if (*post_receive) {
    std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return pg::RunPostReceive(input, GateOptionsFrom(g), std::cerr);
  }
  if (*update) {
    return pg::RunGate(pg::HookMode::kUpdate, u_old + " " + u_new + " " + u_ref + "\n", GateOptionsFrom(g), std::cerr);
  }
  if (*install || *uninstall) {
    bool is_install = static_cast<bool>(*install);
    CLI::App* cmd = is_install ? install : uninstall;
    pg::InstallRequest req = (is_install ? install_target : uninstall_target).Request(cmd);
    req.binary = SelfPath(argv[0]);
    req.config = AbsoluteOrEmpty(g.config);
    auto report = is_install ? pg::Install(req) : pg::Uninstall(req);
    if (!report.ok()) {
      std::cerr << "pushgate: error: " << report.status().message() << "\n";
      return report.status().ExitCode();
    }
    PrintInstallReport(*report, g.quiet);
    return 0;
  }
  if (*config_check) return ConfigCheck(g, check_file);
  if (*scan) {
    if (!scan_cmd.range.empty()) scan_cmd.mode = pg::ScanMode::kRange;
    if (scan_all) scan_cmd.mode = pg::ScanMode::kAll;
    if (scan_staged) scan_cmd.mode = pg::ScanMode::kStaged;
    if (scan_no_git) scan_cmd.mode = pg::ScanMode::kNoGit;
    scan_cmd.format = scan_format == "json"    ? pg::OutputFormat::kJson
                      : scan_format == "sarif" ? pg::OutputFormat::kSarif
                                               : pg::OutputFormat::kText;
    return pg::RunScan(scan_cmd, CommandOptionsFrom(g));
  }
  if (*pre_commit) return pg::RunPreCommit(CommandOptionsFrom(g));
  if (*verify_commit) return pg::RunVerifyCommit(verify_revs, g.config);
  if (*codeowners) return pg::RunCodeowners(owners_rev, owner_paths, g.config);
  if (*bg_keygen) return pg::RunBreakglassKeygen(bg_out, bg_principal);
  if (*bg_sign) return pg::RunBreakglassSign(sign_args);
  if (*bg_verify) return pg::RunBreakglassVerify(bg_token, g.config);
  if (*audit_verify) return pg::RunAuditVerify(audit_log, g.config);
  if (*doctor) return pg::RunDoctorCommand(doctor_repo, g.config, g.quiet);
  if (*approve) {
    auto token = pg::SignApproval(approve_target, approve_ttl, approve_key, static_cast<int64_t>(std::time(nullptr)));
    if (!token.ok()) {
      std::cerr << "pushgate: error: " << token.status().message() << "\n";
      return token.status().ExitCode();
    }
    std::cout << *token << "\n";
    return 0;
  }
  if (*rules_list) return pg::RunRulesList(CommandOptionsFrom(g), list_patterns);
  if (*rules_test) return pg::RunRulesTest(rule_files, CommandOptionsFrom(g));
  return 2;
}
