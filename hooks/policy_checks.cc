// Ref, path and commit-metadata policies (SPEC §1.4).
#include <re2/re2.h>

#include <algorithm>
#include <set>

#include "hooks/checks.h"

namespace pushgate {

namespace {

const ProtectedRefConfig* FindProtection(const Config& cfg, const std::string& ref) {
  for (const auto& p : cfg.policies.protected_refs) {
    if (p.glob.Matches(ref)) return &p;
  }
  return nullptr;
}

Finding RefFinding(const std::string& rule, const RefUpdate& u, const std::string& message) {
  Finding f;
  f.rule = rule;
  f.ref = u.ref;
  f.commit = u.is_delete() ? "" : u.new_oid;
  f.message = message;
  return f;
}

std::string Domain(const std::string& email) {
  auto at = email.rfind('@');
  std::string d = at == std::string::npos ? "" : email.substr(at + 1);
  std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return std::tolower(c); });
  return d;
}

bool DomainAllowed(const std::string& domain, const std::vector<std::string>& allowed) {
  for (std::string a : allowed) {
    std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
    if (domain == a) return true;
    // "*.example.com" admits subdomains.
    if (a.rfind("*.", 0) == 0 && domain.size() > a.size() - 1 &&
        domain.compare(domain.size() - (a.size() - 1), a.size() - 1, a.substr(1)) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

Severity LimitSeverity(const LimitsConfig& limits) {
  return limits.on_limit == FailMode::kReject ? Severity::kError : Severity::kWarning;
}

void CheckProtectedRefs(const CheckContext& ctx, std::vector<Finding>* out) {
  for (const auto& ref : ctx.model.refs) {
    const RefUpdate& u = ref.update;
    const ProtectedRefConfig* p = FindProtection(ctx.config, u.ref);
    if (!p) continue;
    if (u.change == RefChange::kDelete && !p->allow_delete) {
      out->push_back(RefFinding("protected-ref", u, "deleting " + u.ref + " is not allowed"));
    }
    if (u.change == RefChange::kForce && !p->allow_force_push) {
      out->push_back(RefFinding("protected-ref", u, "force push (non-fast-forward) to " + u.ref + " is not allowed"));
    }
    if (u.change == RefChange::kCreate && !p->creators.empty() &&
        std::find(p->creators.begin(), p->creators.end(), ctx.push.pusher) == p->creators.end()) {
      out->push_back(RefFinding("protected-ref", u, ctx.push.pusher + " may not create " + u.ref));
    }
    if (p->linear_history) {
      for (size_t i : ref.commits) {
        const auto& c = ctx.model.commits[i];
        if (c.parents.size() > 1) {
          Finding f = RefFinding("protected-ref", u, "merge commit on " + u.ref + ", which requires linear history");
          f.commit = c.hex;
          out->push_back(std::move(f));
        }
      }
    }
  }
}

void CheckPaths(const CheckContext& ctx, std::vector<Finding>* out) {
  const auto& pol = ctx.config.policies;
  if (!pol.forbidden_globs.empty()) {
    for (const auto& ref : ctx.model.refs) {
      // Once per path and content on a ref: a merge that brings a file its other parent added is
      // not a second finding.
      std::set<std::pair<std::string, std::string>> seen;
      for (size_t i : ref.commits) {
        const auto& c = ctx.model.commits[i];
        for (const auto& ch : c.changes) {
          if (ch.status == 'D') continue;
          const Glob* g = pol.forbidden_globs.FirstMatch(ch.path);
          if (!g || !seen.insert({ch.path, OidToHex(ch.blob)}).second) continue;
          Finding f;
          f.rule = "forbidden-path";
          f.ref = ref.update.ref;
          f.commit = c.hex;
          f.path = ch.path;
          f.message = "adds a file matching the forbidden pattern '" + g->pattern() + "'";
          out->push_back(std::move(f));
        }
      }
    }
  }
  if (pol.max_file_bytes > 0) {
    for (const auto& b : ctx.model.blobs) {
      if (static_cast<int64_t>(b.size) <= pol.max_file_bytes) continue;
      const auto& occ = b.occurrences.front();
      Finding f;
      f.rule = "max-file-size";
      f.ref = occ.ref;
      f.commit = occ.commit == SIZE_MAX ? "" : ctx.model.commits[occ.commit].hex;
      f.path = occ.path.empty() ? "blob " + OidToHex(b.id) : occ.path;
      f.message = "file is " + std::to_string(b.size) + " bytes, over the limit of " +
                  std::to_string(pol.max_file_bytes);
      out->push_back(std::move(f));
    }
  }
}

void CheckCommitMetadata(const CheckContext& ctx, std::vector<Finding>* out) {
  const auto& pol = ctx.config.policies;
  std::unique_ptr<RE2> pattern;
  if (pol.commit_message) {
    RE2::Options o;
    o.set_log_errors(false);
    o.set_posix_syntax(false);
    o.set_never_nl(false);
    pattern = std::make_unique<RE2>("(?m)" + pol.commit_message->pattern, o);
  }
  std::set<std::string> checked_email;
  for (const auto& ref : ctx.model.refs) {
    bool message_applies = pattern && pattern->ok() &&
                           (pol.commit_message->ref_globs.empty() || pol.commit_message->ref_globs.Matches(ref.update.ref));
    for (size_t i : ref.commits) {
      const auto& c = ctx.model.commits[i];
      if (message_applies && !RE2::PartialMatch(c.message, *pattern)) {
        Finding f = RefFinding("commit-message", ref.update, "message does not match the required pattern '" +
                                                                  pol.commit_message->pattern + "'");
        f.commit = c.hex;
        out->push_back(std::move(f));
      }
      if (pol.allowed_email_domains.empty() || !checked_email.insert(c.hex).second) continue;
      for (const auto& [who, email] : {std::pair{"author", c.author_email}, std::pair{"committer", c.committer_email}}) {
        if (DomainAllowed(Domain(email), pol.allowed_email_domains)) continue;
        Finding f = RefFinding("email-domain", ref.update,
                               std::string(who) + " email <" + email + "> is not in an allowed domain");
        f.commit = c.hex;
        out->push_back(std::move(f));
      }
    }
  }
}

}  // namespace pushgate
