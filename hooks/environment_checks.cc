// Live-environment governance (SPEC §1.3): for every new commit on a protected ref that touches a
// live path, the commit must carry a valid signature by a trusted key whose principal is the
// committer ("signed-commit"), and the approver must own every touched live path in the
// CODEOWNERS file as it was before the push ("codeowners").
#include <algorithm>
#include <chrono>
#include <cctype>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "config/codeowners.h"
#include "hooks/approvals.h"
#include "hooks/checks.h"
#include "signatures/verifier.h"

namespace pushgate {

namespace {

// Reads a file from a commit's tree; NotFound when absent.
Result<std::string> ReadAtCommit(git_repository* repo, const git_oid& commit_id, const std::string& path) {
  git_commit* c = nullptr;
  int rc = git_commit_lookup(&c, repo, &commit_id);
  if (rc != 0) return GitError("cannot read commit " + OidToHex(commit_id), rc);
  GitCommit commit(c);
  git_tree* t = nullptr;
  if ((rc = git_commit_tree(&t, c)) != 0) return GitError("cannot read a tree", rc);
  GitTree tree(t);
  git_tree_entry* e = nullptr;
  if (git_tree_entry_bypath(&e, t, path.c_str()) != 0) return Status::NotFound(path);
  GitTreeEntry entry(e);
  git_blob* b = nullptr;
  if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) return Status::Corruption(path + " is not a file");
  if ((rc = git_blob_lookup(&b, repo, git_tree_entry_id(e))) != 0) return GitError("cannot read " + path, rc);
  GitBlob blob(b);
  return std::string(static_cast<const char*>(git_blob_rawcontent(b)), static_cast<size_t>(git_blob_rawsize(b)));
}

// The commit whose CODEOWNERS governs a ref update: the ref's old tip, or for a new ref the
// default branch (HEAD) as it was before the push. Never the pushed content.
Result<git_oid> GoverningCommit(const CheckContext& ctx, const RefInput& ref) {
  if (!ref.update.is_create()) {
    auto old = OidFromHex(ref.update.old_oid);
    if (!old.ok()) return old.status();
    git_object* peeled = nullptr;
    git_object* obj = nullptr;
    if (git_object_lookup(&obj, ctx.repo.get(), &*old, GIT_OBJECT_ANY) != 0) return GitError("cannot read old tip");
    GitObject holder(obj);
    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) return GitError("old tip is not a commit");
    GitObject p(peeled);
    return *git_object_id(peeled);
  }
  git_oid head;
  if (git_reference_name_to_id(&head, ctx.repo.get(), "HEAD") != 0) {
    return Status::NotFound("the default branch (HEAD) has no commit yet");
  }
  return head;
}

struct OwnersFile {
  std::optional<Codeowners> codeowners;
  std::string where;  // "CODEOWNERS at refs/heads/main 1a2b3c4d5e", for messages
  std::string error;  // why there is none
};

// Every place the environment's CODEOWNERS is read from: each is a live path of the environment,
// so the ownership file cannot be taken over (or outranked by a new file) without its owners.
std::vector<std::string> OwnersLocations(const EnvironmentConfig& env) {
  return env.codeowners_file.empty() ? CodeownersLocations(env.codeowners_dialect)
                                     : std::vector<std::string>{env.codeowners_file};
}

OwnersFile LoadOwners(const CheckContext& ctx, const EnvironmentConfig& env, const RefInput& ref) {
  OwnersFile out;
  auto commit = GoverningCommit(ctx, ref);
  if (!commit.ok()) {
    out.error = commit.status().message();
    return out;
  }
  std::vector<std::string> locations = OwnersLocations(env);
  for (const auto& loc : locations) {
    auto text = ReadAtCommit(ctx.repo.get(), *commit, loc);
    if (!text.ok() && text.status().code() == Status::Code::kNotFound) continue;
    if (!text.ok()) {
      // An ownership file that is there but cannot be read is not skipped for the next location.
      out.error = loc + " at " + OidToHex(*commit).substr(0, 10) + ": " + text.status().message();
      return out;
    }
    auto parsed = Codeowners::Parse(*text, env.codeowners_dialect, loc);
    std::string at = loc + " at " + OidToHex(*commit).substr(0, 10);
    if (!parsed.ok()) {
      out.error = at + ": " + parsed.status().message();
      return out;
    }
    out.codeowners = std::move(*parsed);
    out.where = at;
    return out;
  }
  out.error = "no CODEOWNERS file (" + locations.front() + "...) in " + OidToHex(*commit).substr(0, 10);
  return out;
}

// Who approves a commit: the verified signer and/or the pusher, per `approver`. A person is every
// identity of their allowed_signers entries (all principals, all e-mails), so one person never
// counts twice towards a section's approvals.
struct Approvers {
  std::vector<std::string> signer;  // identities of the verified signer (empty when unverified)
  std::vector<std::string> pusher;  // the pusher's name and e-mail, and the principals of their entries
  bool pusher_known = false;        // the pusher is a person in allowed_signers
  std::vector<std::vector<std::string>> co;  // owners who approved with `git push -o approve=...`
  std::vector<std::string> co_problems;      // approvals not counted, and why
};

bool OwnedBy(const OwnerMatch& m, const std::vector<std::string>& identities,
             const std::map<std::string, std::vector<std::string>>& teams) {
  for (const auto& id : identities) {
    if (!id.empty() && IsOwner(m, id, teams)) return true;
  }
  return false;
}

// Checks one live path against the governing CODEOWNERS; returns why it is not approved, or "".
std::string PathApproval(const Codeowners& co, const std::string& path, const EnvironmentConfig& env,
                         const Approvers& who, const std::map<std::string, std::vector<std::string>>& teams) {
  auto matches = co.Lookup(path);
  if (matches.empty()) return "has no owner in CODEOWNERS, so nobody can approve it";
  for (const auto& m : matches) {
    std::string section = m.section.empty() ? "" : " (section [" + m.section + "])";
    // Optional sections bind merge requests only; a direct push is approved like any other.
    bool signer_ok = OwnedBy(m, who.signer, teams);
    bool pusher_ok = OwnedBy(m, who.pusher, teams);
    // Distinct people who own the path: the signer, the pusher and co-approvers, each counted once.
    // A pusher who is not a person in allowed_signers cannot be told apart from the signer or a
    // co-approver, so counts only towards a single approval.
    std::vector<const std::vector<std::string>*> counted;
    auto count = [&](const std::vector<std::string>& person, bool owns) {
      if (!owns) return;
      for (const auto* c : counted) {
        if (signatures::SharesIdentity(*c, person)) return;
      }
      counted.push_back(&person);
    };
    count(who.signer, signer_ok);
    if (who.pusher_known || counted.empty()) count(who.pusher, pusher_ok);
    for (const auto& person : who.co) count(person, OwnedBy(m, person, teams));
    int approvals = static_cast<int>(counted.size());
    if (env.approver == Approver::kSigner && !signer_ok) {
      return who.signer.empty() ? "needs an owner's verified signature" + section
                                : "signer " + who.signer.front() + " is not an owner" + section;
    }
    if (env.approver == Approver::kPusher && !pusher_ok) return "pusher " + who.pusher.front() + " is not an owner" + section;
    if (env.approver == Approver::kBoth && (!signer_ok || !pusher_ok)) {
      return std::string(!signer_ok ? "the signer" : "the pusher") + " is not an owner" + section;
    }
    if (approvals < m.approvals_required) {
      std::string why = "needs " + std::to_string(m.approvals_required) + " approvals from owners, has " +
                        std::to_string(approvals) + section + "; more owners can approve with pushgate approve";
      for (const auto& p : who.co_problems) why += "; approval not counted: " + p;
      return why;
    }
  }
  return "";
}

Result<std::string> RawCommit(git_repository* repo, const git_oid& id) {
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo) != 0) return GitError("cannot open object database");
  GitOdb odb_handle(odb);
  git_odb_object* obj = nullptr;
  int rc = git_odb_read(&obj, odb, &id);
  if (rc != 0) return GitError("cannot read commit " + OidToHex(id), rc);
  GitOdbObject holder(obj);
  return std::string(static_cast<const char*>(git_odb_object_data(obj)), git_odb_object_size(obj));
}

Finding EnvFinding(const char* rule, const RefInput& ref, const PushedCommit& c, const std::string& path,
                   const std::string& message) {
  Finding f;
  f.rule = rule;
  f.ref = ref.update.ref;
  f.commit = c.hex;
  f.path = path;
  f.message = message;
  return f;
}

}  // namespace

Status CheckEnvironments(const CheckContext& ctx, std::vector<Finding>* out) {
  const Config& cfg = ctx.config;
  if (cfg.environments.empty()) return Status::Ok();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));

  // signers.allowed_signers names the people: co-approvers' keys and the pusher's identities. A
  // file that cannot be loaded refuses every live change that needs it; it never opens the gate.
  std::optional<signatures::AllowedSigners> people;
  std::string people_error;
  if (!cfg.signers.allowed_signers.empty()) {
    auto loaded = signatures::AllowedSigners::Load(cfg.signers.allowed_signers);
    if (loaded.ok()) {
      people = std::move(*loaded);
    } else {
      people_error = "signers.allowed_signers cannot be used: " + loaded.status().message();
    }
  }
  Approvers base;
  base.pusher = {ctx.push.pusher};
  if (!ctx.push.pusher_email.empty()) base.pusher.push_back(ctx.push.pusher_email);
  if (people) {
    const std::vector<std::string> account = base.pusher;
    for (const auto& entry : people->entries()) {
      auto ids = signatures::LiteralPrincipals(entry);
      if (!signatures::SharesIdentity(ids, account)) continue;
      base.pusher.insert(base.pusher.end(), ids.begin(), ids.end());
      base.pusher_known = true;
    }
  }

  std::unique_ptr<signatures::CommitVerifier> verifier;
  std::string verifier_error;
  bool verifier_tried = false;
  std::map<std::string, signatures::SignatureVerdict> verdicts;  // per commit
  for (const auto& env : cfg.environments) {
    const std::vector<std::string> owner_files = env.require_codeowners ? OwnersLocations(env) : std::vector<std::string>{};
    auto is_live = [&](const std::string& path) {
      return env.path_globs.Matches(path) || std::find(owner_files.begin(), owner_files.end(), path) != owner_files.end();
    };
    for (const auto& ref : ctx.model.refs) {
      if (ref.update.is_delete() || !env.ref_globs.Matches(ref.update.ref)) continue;
      std::optional<OwnersFile> owners;
      ApprovalCheck co_approvals;
      if (env.require_codeowners) {
        std::vector<std::string> tokens = ApprovalPushOptions();
        if (!tokens.empty() && cfg.signers.allowed_signers.empty()) {
          co_approvals.problems.push_back("no signers.allowed_signers is configured to trust approval keys");
        } else if (!tokens.empty() && !people) {
          co_approvals.problems.push_back(people_error);
        } else if (!tokens.empty()) {
          ApprovalTarget target{ctx.push.repository, ref.update.ref, ref.update.old_oid, ref.update.new_oid};
          co_approvals = CheckApprovals(tokens, target, *people, now);
        }
      }
      for (size_t ci : ref.commits) {
        const PushedCommit& c = ctx.model.commits[ci];
        if (std::chrono::steady_clock::now() > ctx.deadline) {
          // Signature checks can be slow (ssh-keygen, gpg): the budget is checked per commit.
          Finding f = EnvFinding("limits", ref, c, "", "time budget spent while checking signatures and owners (environment " +
                                                         env.name + "); the rest of " + ref.update.ref + " was not checked");
          f.severity = LimitSeverity(cfg.limits);
          out->push_back(std::move(f));
          break;
        }
        std::vector<std::string> live;
        for (const auto& p : c.TouchedPaths()) {
          if (is_live(p)) live.push_back(p);
        }
        if (live.empty()) continue;
        Approvers who = base;
        who.co = co_approvals.approvers;
        who.co_problems = co_approvals.problems;
        bool need_signature = env.require_signed || (env.require_codeowners && env.approver != Approver::kPusher);
        if (need_signature) {
          if (!verifier_tried) {
            verifier_tried = true;
            signatures::TrustSettings trust{cfg.signers.allowed_signers, cfg.signers.openpgp_keys,
                                            cfg.signers.ssh_fallback, cfg.signers.gpg_fallback, cfg.signers.gpg_keyring};
            auto v = signatures::CommitVerifier::Create(trust);
            if (v.ok()) {
              verifier = std::move(*v);
            } else {
              verifier_error = "the trusted signers cannot be loaded, so no signature can be checked: " +
                               v.status().message();
            }
          }
          if (!verifier) {
            out->push_back(EnvFinding(env.require_signed ? "signed-commit" : "codeowners", ref, c, live.front(),
                                      verifier_error + " (environment " + env.name + ")"));
            continue;
          }
          auto it = verdicts.find(c.hex);
          if (it == verdicts.end()) {
            auto raw = RawCommit(ctx.repo.get(), c.id);
            if (!raw.ok()) return raw.status();
            it = verdicts.emplace(c.hex, verifier->Verify(*raw, now)).first;
          }
          const auto& verdict = it->second;
          if (verdict.status == signatures::SignatureStatus::kGood) {
            who.signer = verdict.identities.empty() ? std::vector<std::string>{verdict.signer} : verdict.identities;
          } else if (env.require_signed) {
            out->push_back(EnvFinding("signed-commit", ref, c, live.front(),
                                      std::string(signatures::StatusName(verdict.status)) + ": " + verdict.detail +
                                          " (environment " + env.name + ")"));
          }
        }
        if (!env.require_codeowners) continue;
        if (!owners) owners = LoadOwners(ctx, env, ref);
        if (!owners->codeowners) {
          out->push_back(EnvFinding("codeowners", ref, c, live.front(), owners->error));
          continue;
        }
        for (const auto& path : live) {
          std::string why = PathApproval(*owners->codeowners, path, env, who, cfg.teams);
          if (!why.empty()) {
            out->push_back(EnvFinding("codeowners", ref, c, path, why + " (" + owners->where + ")"));
          }
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace pushgate
