// Live-environment governance (SPEC §1.3): for every new commit on a protected ref that touches a
// live path, the commit must carry a valid signature by a trusted key whose principal is the
// committer ("signed-commit"), and the approver must own every touched live path in the
// CODEOWNERS file as it was before the push ("codeowners").
#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <memory>
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
  if (git_blob_lookup(&b, repo, git_tree_entry_id(e)) != 0) return Status::NotFound(path);
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

OwnersFile LoadOwners(const CheckContext& ctx, const EnvironmentConfig& env, const RefInput& ref) {
  OwnersFile out;
  auto commit = GoverningCommit(ctx, ref);
  if (!commit.ok()) {
    out.error = commit.status().message();
    return out;
  }
  std::vector<std::string> locations = env.codeowners_file.empty()
                                           ? CodeownersLocations(env.codeowners_dialect)
                                           : std::vector<std::string>{env.codeowners_file};
  for (const auto& loc : locations) {
    auto text = ReadAtCommit(ctx.repo.get(), *commit, loc);
    if (!text.ok()) continue;
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

// Who approves a commit: the verified signer and/or the pusher, per `approver`.
struct Approvers {
  std::vector<std::string> signer;  // identities of the verified signer (empty when unverified)
  std::vector<std::string> pusher;  // the pusher's name and e-mail
  std::vector<std::vector<std::string>> co;  // owners who approved with `git push -o approve=...`
  std::vector<std::string> co_problems;      // approvals that did not count, and why
};

bool SamePerson(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a) {
    for (const auto& y : b) {
      if (x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), [](char p, char q) {
            return std::tolower(static_cast<unsigned char>(p)) == std::tolower(static_cast<unsigned char>(q));
          })) {
        return true;
      }
    }
  }
  return false;
}

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
    std::vector<const std::vector<std::string>*> counted;
    auto count = [&](const std::vector<std::string>& person, bool owns) {
      if (!owns) return;
      for (const auto* c : counted) {
        if (SamePerson(*c, person)) return;
      }
      counted.push_back(&person);
    };
    count(who.signer, signer_ok);
    count(who.pusher, pusher_ok);
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
  std::unique_ptr<signatures::CommitVerifier> verifier;
  std::map<std::string, signatures::SignatureVerdict> verdicts;  // per commit
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const auto& env : cfg.environments) {
    for (const auto& ref : ctx.model.refs) {
      if (ref.update.is_delete() || !env.ref_globs.Matches(ref.update.ref)) continue;
      std::optional<OwnersFile> owners;
      ApprovalCheck co_approvals;
      if (env.require_codeowners) {
        std::vector<std::string> tokens = ApprovalPushOptions();
        if (!tokens.empty() && cfg.signers.allowed_signers.empty()) {
          co_approvals.problems.push_back("no signers.allowed_signers is configured to trust approval keys");
        } else if (!tokens.empty()) {
          auto trusted = signatures::AllowedSigners::Load(cfg.signers.allowed_signers);
          if (!trusted.ok()) return trusted.status().Prefixed("signers.allowed_signers");
          ApprovalTarget target{ctx.push.repository, ref.update.ref, ref.update.old_oid, ref.update.new_oid};
          co_approvals = CheckApprovals(tokens, target, *trusted, now);
        }
      }
      for (size_t ci : ref.commits) {
        const PushedCommit& c = ctx.model.commits[ci];
        std::vector<std::string> live;
        for (const auto& p : c.TouchedPaths()) {
          if (env.path_globs.Matches(p)) live.push_back(p);
        }
        if (live.empty()) continue;
        Approvers who;
        who.co = co_approvals.approvers;
        who.co_problems = co_approvals.problems;
        who.pusher = {ctx.push.pusher};
        if (!ctx.push.pusher_email.empty()) who.pusher.push_back(ctx.push.pusher_email);
        bool need_signature = env.require_signed || (env.require_codeowners && env.approver != Approver::kPusher);
        if (need_signature) {
          if (!verifier) {
            signatures::TrustSettings trust{cfg.signers.allowed_signers, cfg.signers.openpgp_keys,
                                            cfg.signers.ssh_fallback, cfg.signers.gpg_fallback, cfg.signers.gpg_keyring};
            auto v = signatures::CommitVerifier::Create(trust);
            if (!v.ok()) return v.status().Prefixed("signers");
            verifier = std::move(*v);
          }
          auto it = verdicts.find(c.hex);
          if (it == verdicts.end()) {
            auto raw = RawCommit(ctx.repo.get(), c.id);
            if (!raw.ok()) return raw.status();
            it = verdicts.emplace(c.hex, verifier->Verify(*raw, now)).first;
          }
          const auto& verdict = it->second;
          if (verdict.status == signatures::SignatureStatus::kGood) {
            who.signer = {verdict.signer};
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
