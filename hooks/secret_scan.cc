#include "hooks/secret_scan.h"

#include <map>
#include <set>

#include "scanner/database_cache.h"

namespace pushgate {

namespace {

std::string_view BlobText(const git_blob* blob) {
  return {static_cast<const char*>(git_blob_rawcontent(blob)), static_cast<size_t>(git_blob_rawsize(blob))};
}

// Reads and scans blobs, remembering parent-blob results so each is scanned at most once.
class BlobScanner {
 public:
  BlobScanner(const CheckContext& ctx, const scanner::Scanner& s) : ctx_(ctx), scanner_(s) {}

  Status Scan(const git_oid& id, const std::string& path, std::vector<scanner::SecretMatch>* out) {
    git_blob* raw = nullptr;
    int rc = git_blob_lookup(&raw, ctx_.repo.get(), &id);
    if (rc != 0) return GitError("cannot read " + (path.empty() ? OidToHex(id) : path), rc);
    GitBlob blob(raw);
    return scanner_.Scan(BlobText(raw), path, out);
  }

  // True when the parent version holds the same rule and secret bytes.
  bool InParent(const git_oid& parent, const std::string& path, const scanner::SecretMatch& m) {
    if (git_oid_is_zero(&parent)) return false;
    std::string key = OidToHex(parent);
    auto it = parent_secrets_.find(key);
    if (it == parent_secrets_.end()) {
      std::vector<scanner::SecretMatch> matches;
      std::set<std::pair<std::string, std::string>> found;
      // The parent blob is not new, so it may exceed the blob limit only if it was accepted
      // before the limit existed; an unreadable parent counts as "not there" (fail closed).
      if (Scan(parent, path, &matches).ok()) {
        for (auto& pm : matches) found.insert({pm.rule_id, pm.secret});
      }
      it = parent_secrets_.emplace(key, std::move(found)).first;
    }
    return it->second.count({m.rule_id, m.secret}) > 0;
  }

 private:
  const CheckContext& ctx_;
  const scanner::Scanner& scanner_;
  std::map<std::string, std::set<std::pair<std::string, std::string>>> parent_secrets_;
};

Finding SecretFinding(const scanner::SecretMatch& m, const std::string& ref, const std::string& commit,
                      const std::string& path) {
  Finding f;
  f.rule = "secret/" + m.rule_id;
  f.ref = ref;
  f.commit = commit;
  f.path = path;
  f.line = static_cast<int>(m.line);
  f.message = m.rule_name + (m.in_decoded ? " (inside base64-encoded data)" : "");
  f.redacted = m.redacted;
  return f;
}

void BlobLimitFinding(const CheckContext& ctx, const BlobInput& b, std::vector<Finding>* out) {
  const auto& occ = b.occurrences.front();
  Finding f;
  f.rule = "limits";
  f.severity = LimitSeverity(ctx.config.limits);
  f.ref = occ.ref;
  f.commit = occ.commit == SIZE_MAX ? "" : ctx.model.commits[occ.commit].hex;
  f.path = occ.path.empty() ? "blob " + OidToHex(b.id) : occ.path;
  f.message = "not scanned for secrets: " + std::to_string(b.size) + " bytes is over limits.max_blob_bytes (" +
              std::to_string(ctx.config.limits.max_blob_bytes) + ")";
  out->push_back(std::move(f));
}

bool InBaseline(const scanner::Baseline* baseline, const scanner::SecretMatch& m) {
  return baseline && baseline->Contains(m.rule_id, m.secret);
}

}  // namespace

Result<std::unique_ptr<scanner::Scanner>> MakeScanner(const SecretsConfig& secrets) {
  scanner::RuleLoadOptions opts;
  opts.extra_files = secrets.extra_rules;
  opts.disabled = secrets.disabled_rules;
  opts.check_patterns = false;  // Scanner::Create checks them whenever it compiles
  std::string cache_dir = secrets.cache_dir.empty() ? scanner::DefaultCacheDir() : secrets.cache_dir;
  opts.cache_dir = cache_dir;
  auto rules = scanner::LoadRuleSet(opts);
  if (!rules.ok()) return rules.status();
  scanner::AllowList allow{secrets.allow_paths, secrets.allow_regexes, secrets.allow_stopwords};
  return scanner::Scanner::Create(std::move(*rules), std::move(allow), cache_dir);
}

Result<std::unique_ptr<scanner::Baseline>> LoadConfiguredBaseline(const SecretsConfig& secrets) {
  if (secrets.baseline.empty()) return std::unique_ptr<scanner::Baseline>();
  auto loaded = scanner::Baseline::Load(secrets.baseline);
  if (!loaded.ok()) return loaded.status().Prefixed("secrets.baseline");
  return std::make_unique<scanner::Baseline>(std::move(*loaded));
}

Status CheckSecrets(const CheckContext& ctx, const scanner::Scanner& s, const scanner::Baseline* baseline,
                    std::vector<Finding>* out, std::vector<std::pair<std::string, std::string>>* secrets_out) {
  auto keep = [secrets_out](const scanner::SecretMatch& m) {
    if (secrets_out) secrets_out->emplace_back(m.rule_id, m.secret);
  };
  const auto& cfg = ctx.config;
  BlobScanner blobs(ctx, s);
  for (const auto& b : ctx.model.blobs) {
    if (static_cast<int64_t>(b.size) > cfg.limits.max_blob_bytes) {
      BlobLimitFinding(ctx, b, out);
      continue;
    }
    std::vector<scanner::SecretMatch> matches;
    const BlobOccurrence& first = b.occurrences.front();
    PG_RETURN_IF_ERROR(blobs.Scan(b.id, first.path, &matches));
    for (const auto& m : matches) {
      if (InBaseline(baseline, m)) continue;
      bool is_new = false;
      for (const auto& occ : b.occurrences) {
        is_new = is_new || !blobs.InParent(occ.parent_blob, occ.path, m);
      }
      std::string commit = first.commit == SIZE_MAX ? "" : ctx.model.commits[first.commit].hex;
      std::string path = first.path.empty() ? "blob " + OidToHex(b.id) : first.path;
      Finding f = SecretFinding(m, first.ref, commit, path);
      if (!is_new) {
        f.message += " (already present in the parent commit)";
        if (!cfg.secrets.block_preexisting) f.severity = Severity::kWarning;
      }
      out->push_back(std::move(f));
      keep(m);
    }
  }
  if (!cfg.secrets.scan_messages) return Status::Ok();
  for (const auto& msg : ctx.model.messages) {
    std::vector<scanner::SecretMatch> matches;
    PG_RETURN_IF_ERROR(s.Scan(msg.text, "", &matches));
    for (const auto& m : matches) {
      if (InBaseline(baseline, m)) continue;
      bool tag = msg.kind == MessageInput::Kind::kTag;
      Finding f = SecretFinding(m, msg.ref, msg.object, "");
      f.message += tag ? " in the tag message" : " in the commit message";
      out->push_back(std::move(f));
      keep(m);
    }
  }
  return Status::Ok();
}

}  // namespace pushgate
