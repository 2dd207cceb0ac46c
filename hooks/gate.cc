#include "hooks/gate.h"

#include <chrono>
#include <ctime>
#include <memory>
#include <ostream>

#include "config/config.h"
#include "hooks/audit_log.h"
#include "hooks/checks.h"
#include "hooks/object_checks.h"
#include "hooks/overrides.h"
#include "hooks/report.h"
#include "hooks/secret_scan.h"
#include "install/hook_locations.h"
#include "signatures/breakglass_ledger.h"

namespace pushgate {

namespace {

using Clock = std::chrono::steady_clock;

// Everything one run accumulates, for the report and the audit record.
struct Run {
  Clock::time_point start = Clock::now();
  std::vector<RefUpdate> updates;
  std::vector<Finding> findings;
  std::vector<std::string> notes;
  PushContext push;
  SecretScanStats content;
};

// One `limits` finding per part of the push that was not examined, and one when the time budget
// ran out while checking.
void AddLimitFindings(const Config& cfg, const std::vector<std::string>& notes, Clock::time_point deadline,
                      std::vector<Finding>* out) {
  std::vector<std::string> messages = notes;
  if (Clock::now() > deadline) {
    messages.push_back("the push took longer than limits.timeout_seconds (" +
                       std::to_string(cfg.limits.timeout_seconds) + " s) to check");
  }
  for (const auto& message : messages) {
    Finding f;
    f.rule = "limits";
    f.severity = LimitSeverity(cfg.limits);
    f.message = message + (f.severity == Severity::kError ? " (limits.on_limit: reject)" : " (limits.on_limit: allow)");
    out->push_back(std::move(f));
  }
}

void RunChecks(const CheckContext& ctx, std::vector<Finding>* out, std::vector<std::string>* notes) {
  CheckProtectedRefs(ctx, out);
  CheckPaths(ctx, out);
  CheckCommitMetadata(ctx, out);
  CheckExternalPolicies(ctx, out, notes);
  CheckDocuments(ctx, out);
}

// Prints a failure that prevented a decision and returns the exit code per on_error. A
// multi-line message (every configuration error) becomes one report line each.
int Fail(const Status& status, FailMode on_error, bool gitlab, std::ostream& err) {
  const bool allow = on_error == FailMode::kAllow;
  std::vector<Finding> lines;
  size_t start = 0;
  do {
    size_t nl = status.message().find('\n', start);
    Finding f;
    f.rule = status.code() == Status::Code::kInvalidArgument ? "config" : "internal";
    f.severity = allow ? Severity::kWarning : Severity::kError;
    f.message = status.message().substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    lines.push_back(std::move(f));
    start = nl == std::string::npos ? std::string::npos : nl + 1;
  } while (start != std::string::npos);
  if (allow) {
    err << FormatHookReport(lines, {"on_error: allow: the push is accepted without a decision"}, false, {gitlab});
    return 0;
  }
  err << FormatHookReport(lines, {}, true, {gitlab});
  return status.ExitCode() == 0 ? 3 : status.ExitCode();
}

// The environments' ref globs: a created ref is judged against the refs of its protection class.
RefClasses ProtectionClasses(const Config& cfg) {
  RefClasses classes;
  for (const auto& e : cfg.environments) classes.environments.push_back(&e.ref_globs);
  return classes;
}

// Opens the repository, builds the push model and runs every check into run->findings. Sets
// *content_failure when the failure happened while reading what the push brings (a malformed or
// unreadable object): such a push is refused whatever `on_error` says, because the pusher chose
// the content that made the gate fail.
Status Judge(const Config& cfg, const ObjectEnvironment& env, Run* run, PushModel* model_out, bool* content_failure) {
  *content_failure = false;
  auto repo = Repository::OpenForHook(env);
  if (!repo.ok()) return repo.status();
  PushLimits limits;
  limits.deadline = run->start + std::chrono::seconds(cfg.limits.timeout_seconds);
  limits.max_commits = cfg.limits.max_commits;
  limits.max_blobs = cfg.limits.max_blobs;
  limits.max_bytes = cfg.limits.max_bytes;
  *content_failure = true;  // from here on, a failure comes from reading the pushed content
  // Objects are checked raw before libgit2 parses any of them: a malformed commit that the push
  // model cannot be built from is refused with what is wrong with it, not with the parser's error.
  // Otherwise every other check still runs (each is a defence of its own).
  PushObjectCheck objects(cfg, *repo, limits.deadline, &run->findings);
  PG_RETURN_IF_ERROR(objects.CheckQuarantine());
  auto model = BuildPushModel(*repo, run->updates, limits, ProtectionClasses(cfg));
  if (!model.ok() && AnyBlocking(run->findings)) return Status::Ok();
  if (!model.ok()) return model.status();
  CheckContext ctx{cfg, *repo, *model, run->push, limits.deadline};
  PG_RETURN_IF_ERROR(objects.CheckModel(*model));
  RunChecks(ctx, &run->findings, &run->notes);
  if (cfg.secrets.enabled) {
    // The rules and the baseline are the gate's own: failing to load them is not the content's doing.
    *content_failure = false;
    auto scanner = MakeScanner(cfg.secrets);
    if (!scanner.ok()) return scanner.status();
    auto baseline = LoadConfiguredBaseline(cfg.secrets);
    if (!baseline.ok()) return baseline.status();
    *content_failure = true;
    PG_RETURN_IF_ERROR(CheckSecrets(ctx, **scanner, baseline->get(), &run->findings, nullptr, &run->content));
  }
  PG_RETURN_IF_ERROR(CheckEnvironments(ctx, &run->findings));
  AddLimitFindings(cfg, model->limit_notes, limits.deadline, &run->findings);
  BoundFindings(&run->findings);
  *model_out = std::move(*model);
  return Status::Ok();
}

// The audit record of one decision (SPEC §1.6); findings are already redacted.
nlohmann::json AuditRecord(const Run& run, const std::string& decision, const OverrideOutcome& overrides,
                           const std::string& error) {
  nlohmann::json refs = nlohmann::json::array();
  for (const auto& u : run.updates) {
    refs.push_back({{"ref", u.ref}, {"old", u.old_oid}, {"new", u.new_oid}, {"kind", RefChangeName(u.change)}});
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : run.findings) {
    nlohmann::json j = {{"rule", f.rule}, {"severity", f.severity == Severity::kError ? "error" : "warning"},
                        {"ref", f.ref},   {"commit", f.commit},
                        {"path", f.path}, {"line", f.line},
                        {"message", f.message}};
    if (!f.redacted.empty()) j["redacted"] = f.redacted;
    if (f.waived) j["waived"] = true;
    findings.push_back(std::move(j));
  }
  nlohmann::json record = {
      {"decision", decision},
      {"repository", run.push.repository},
      {"pusher", run.push.pusher},
      {"platform", PlatformName(run.push.platform)},
      {"refs", refs},
      {"findings", findings},
      {"overrides", overrides.used},
      {"override_refusals", overrides.refused},
      {"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run.start).count()},
  };
  if (!run.push.pusher_email.empty()) record["pusher_email"] = run.push.pusher_email;
  if (!error.empty()) record["error"] = error;
  if (run.content.blobs > 0) {
    record["content"] = {{"blobs", run.content.blobs}, {"verdict_cache_hits", run.content.cache_hits}};
  }
  // A decision is not a change: an accepted push moves its refs only if every later hook accepts
  // too. "pending" until a `landed` record (post-receive) names the refs that moved.
  record["outcome"] = decision == "accepted" || decision == "overridden" ? "pending" : "refused";
  return record;
}

Status Audit(const Config& cfg, const nlohmann::json& record) {
  if (cfg.audit.log.empty()) return Status::Ok();
  auto r = AppendAuditRecord(cfg.audit.log, record, AuditAppendOptions{cfg.audit.syslog, std::nullopt});
  return r.ok() ? Status::Ok() : r.status().Prefixed("audit log");
}

}  // namespace

int RunGate(HookMode mode, const std::string& input, const GateOptions& options, std::ostream& err) {
  Run run;
  ObjectEnvironment env = ObjectEnvironment::FromProcess();
  if (mode == HookMode::kUpdate && PreReceiveInstalled(env.git_dir)) {
    if (options.verbose) err << "pushgate: note: pre-receive already judged this push\n";
    return 0;
  }
  run.push = PushContext::FromEnvironment(env.git_dir);
  bool gitlab = run.push.platform == Platform::kGitLab;

  auto config = LoadConfig(LocateConfig(options.config_path, env.git_dir));
  if (!config.ok()) return Fail(config.status(), FailMode::kReject, gitlab, err);
  const Config& cfg = *config;

  Result<std::vector<RefUpdate>> updates = ParseRefUpdates(input);
  if (!updates.ok()) return Fail(updates.status(), cfg.on_error, gitlab, err);
  run.updates = std::move(*updates);

  if (run.push.internal_push) {
    // Gitea's own pushes (repository initialisation, pull-request head refs) carry commits that
    // were judged when they were first pushed; they are recorded, not re-checked.
    nlohmann::json record = AuditRecord(run, "accepted", {}, "");
    record["internal_push"] = true;
    Status audited = Audit(cfg, record);
    if (!audited.ok()) return Fail(audited, FailMode::kReject, gitlab, err);  // never accept what was not recorded
    if (options.verbose) err << "pushgate: note: Gitea internal push accepted without checks\n";
    return 0;
  }

  PushModel model;
  bool content_failure = false;
  Status judged = Judge(cfg, env, &run, &model, &content_failure);
  for (const auto& r : model.refs) {
    for (auto& u : run.updates) {
      if (u.ref == r.update.ref) u.change = r.update.change;
    }
  }
  if (!judged.ok()) {
    Status audited = Audit(cfg, AuditRecord(run, "error", {}, judged.ToString()));
    if (!audited.ok()) err << "pushgate: error: " << audited.message() << "\n";
    // on_error: allow opens the gate only when no check could run on the push: never for content
    // the pusher chose, never over a refusing finding already made, never without a record.
    bool may_allow = !content_failure && !AnyBlocking(run.findings) && audited.ok();
    if (!run.findings.empty()) err << FormatHookReport(run.findings, {}, false, {gitlab});
    if (content_failure) judged = judged.Prefixed("the push could not be examined completely");
    return Fail(judged, may_allow ? cfg.on_error : FailMode::kReject, gitlab, err);
  }

  OverrideOutcome overrides;
  std::vector<std::string> tokens = mode == HookMode::kPreReceive ? BreakglassPushOptions() : std::vector<std::string>{};
  if (!tokens.empty()) {
    overrides = ApplyBreakglass(cfg, model, run.push, tokens, static_cast<int64_t>(std::time(nullptr)), &run.findings);
    run.notes.insert(run.notes.end(), overrides.notes.begin(), overrides.notes.end());
  }
  bool refused = AnyBlocking(run.findings);
  if (!refused && !overrides.tokens.empty()) {
    // Only now, with the whole push accepted, are the tokens recorded: reserved until post-receive
    // sees their ref land, or spent at once where no post-receive of pushgate's runs.
    CommitBreakglass(cfg, PostReceiveInstalled(env.git_dir), &overrides, &run.findings);
    refused = AnyBlocking(run.findings);
  }
  std::string decision = refused ? (overrides.refused.empty() ? "rejected" : "override-refused")
                                 : (overrides.used.empty() ? "accepted" : "overridden");
  Status audited = Audit(cfg, AuditRecord(run, decision, overrides, ""));
  if (!audited.ok()) {
    // A decision that cannot be recorded is not taken: the push is refused (fail closed).
    err << FormatHookReport(run.findings, run.notes, false, {gitlab});
    return Fail(audited, FailMode::kReject, gitlab, err);
  }

  if (!run.findings.empty() || !run.notes.empty()) {
    ReportOptions ro;
    ro.gitlab = gitlab;
    ro.breakglass_available = mode == HookMode::kPreReceive && !cfg.breakglass.approvers.empty();
    err << FormatHookReport(run.findings, run.notes, refused, ro);
  }
  if (options.verbose) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run.start).count();
    err << "pushgate: note: " << model.commits.size() << " new commits, " << model.blobs.size()
        << " new files checked in " << ms << " ms\n";
  }
  return refused ? 1 : 0;
}

int RunPostReceive(const std::string& input, const GateOptions& options, std::ostream& err) {
  Run run;
  ObjectEnvironment env = ObjectEnvironment::FromProcess();
  run.push = PushContext::FromEnvironment(env.git_dir);
  auto config = LoadConfig(LocateConfig(options.config_path, env.git_dir));
  if (!config.ok()) {
    err << "pushgate: error: the landed refs are not recorded: " << config.status().message() << "\n";
    return 1;
  }
  const Config& cfg = *config;
  auto updates = ParseRefUpdates(input);
  if (!updates.ok()) {
    err << "pushgate: error: the landed refs are not recorded: " << updates.status().message() << "\n";
    return 1;
  }
  run.updates = std::move(*updates);
  int rc = 0;
  nlohmann::json spent = nlohmann::json::array();
  if (!cfg.breakglass.used_tokens.empty()) {
    for (const auto& u : run.updates) {
      auto ids = SpendReservedTokens(cfg.breakglass.used_tokens,
                                     TokenBinding(run.push.repository, u.ref, u.old_oid, u.new_oid));
      if (!ids.ok()) {
        err << "pushgate: error: break-glass tokens for " << u.ref << " are not marked spent: " << ids.status().message()
            << "\n";
        rc = 1;
        continue;
      }
      for (const auto& id : *ids) spent.push_back({{"token_id", id}, {"ref", u.ref}});
    }
  }
  nlohmann::json refs = nlohmann::json::array();
  for (const auto& u : run.updates) refs.push_back({{"ref", u.ref}, {"old", u.old_oid}, {"new", u.new_oid}});
  nlohmann::json record = {{"decision", "landed"},
                           {"repository", run.push.repository},
                           {"pusher", run.push.pusher},
                           {"platform", PlatformName(run.push.platform)},
                           {"refs", refs},
                           {"tokens_spent", spent}};
  Status audited = Audit(cfg, record);
  if (!audited.ok()) {
    err << "pushgate: error: the landed refs are not recorded: " << audited.message() << "\n";
    rc = 1;
  }
  return rc;
}

}  // namespace pushgate
