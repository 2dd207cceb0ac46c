#include "hooks/secret_scan.h"

#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "scanner/database_cache.h"
#include "scanner/verdict_cache.h"

namespace pushgate {

namespace {

// Fewer blobs than this are scanned without reading the verdict cache: reading it costs more.
constexpr size_t kVerdictCacheMinBlobs = 32;

std::string_view BlobText(const git_blob* blob) {
  return {static_cast<const char*>(git_blob_rawcontent(blob)), static_cast<size_t>(git_blob_rawsize(blob))};
}

// Reads and scans blobs, remembering parent-blob results so each is scanned at most once.
class BlobScanner {
 public:
  BlobScanner(const CheckContext& ctx, const scanner::Scanner& s) : ctx_(ctx), scanner_(s) {}

  // Scans a blob's content once, whatever paths it appears under: path allowlists are applied
  // per place by the caller. `label` names the blob in errors.
  Status Scan(const git_oid& id, const std::string& label, std::vector<scanner::SecretMatch>* out) {
    git_blob* raw = nullptr;
    int rc = git_blob_lookup(&raw, ctx_.repo.get(), &id);
    if (rc != 0) return GitError("cannot read " + (label.empty() ? OidToHex(id) : label), rc);
    GitBlob blob(raw);
    return scanner_.Scan(BlobText(raw), "", out);
  }

  // True when the parent version (zero: the parent lacks the path) holds the same rule and
  // secret bytes.
  bool InParent(const git_oid& parent, const git_oid& blob, const std::string& path, const scanner::SecretMatch& m) {
    if (git_oid_is_zero(&parent)) return false;
    if (git_oid_equal(&parent, &blob)) return true;
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

std::string CacheDir(const SecretsConfig& secrets) {
  return secrets.cache_dir.empty() ? scanner::DefaultCacheDir() : secrets.cache_dir;
}

Result<std::unique_ptr<scanner::Scanner>> MakeScanner(const SecretsConfig& secrets) {
  scanner::RuleLoadOptions opts;
  opts.extra_files = secrets.extra_rules;
  opts.disabled = secrets.disabled_rules;
  opts.check_patterns = false;  // Scanner::Create checks them whenever it compiles
  std::string cache_dir = CacheDir(secrets);
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
                    std::vector<Finding>* out, std::vector<std::pair<std::string, std::string>>* secrets_out,
                    SecretScanStats* stats) {
  SecretScanStats local;
  if (!stats) stats = &local;
  auto keep = [secrets_out](const scanner::SecretMatch& m) {
    if (secrets_out) secrets_out->emplace_back(m.rule_id, m.secret);
  };
  const auto& cfg = ctx.config;
  BlobScanner blobs(ctx, s);
  // Pushes with many blobs (merges of long-lived branches, history migrations) re-judge content
  // the store already held: the verdict cache makes that cheap. A small push reads no cache.
  std::optional<scanner::VerdictCache> cache;
  if (ctx.model.blobs.size() >= kVerdictCacheMinBlobs) cache = scanner::VerdictCache::Open(CacheDir(cfg.secrets), s.VerdictKey());
  stats->cache_read = cache.has_value();
  for (const auto& b : ctx.model.blobs) {
    if (std::chrono::steady_clock::now() > ctx.deadline) break;  // reported as a limits finding by the gate
    if (static_cast<int64_t>(b.size) > cfg.limits.max_blob_bytes) {
      BlobLimitFinding(ctx, b, out);
      continue;
    }
    ++stats->blobs;
    if (cache && cache->IsClean(b.id.id)) {
      ++stats->cache_hits;
      continue;
    }
    std::vector<scanner::SecretMatch> matches;
    const BlobOccurrence& first = b.occurrences.front();
    PG_RETURN_IF_ERROR(blobs.Scan(b.id, first.path, &matches));
    if (matches.empty()) {
      if (cache) cache->AddClean(b.id.id);
      continue;
    }
    // The places the path allowlist does not cover: a blob allowlisted at one path is still
    // judged at every other path it appears under. Places past the occurrence cap are unknown,
    // so they count as not allowlisted.
    std::vector<const BlobOccurrence*> places;
    for (const auto& occ : b.occurrences) {
      if (!s.PathAllowed(occ.path)) places.push_back(&occ);
    }
    const bool unlisted_places = b.dropped_occurrences > 0;
    if (places.empty() && !unlisted_places) continue;
    for (const auto& m : matches) {
      if (InBaseline(baseline, m)) continue;
      // New at a place when no parent version there holds it; reported at the oldest such place
      // (the commit that introduced it), else at the oldest place.
      const BlobOccurrence* at = nullptr;
      for (const auto* occ : places) {
        bool in_a_parent = false;
        for (const auto& pb : occ->parent_blobs) in_a_parent = in_a_parent || blobs.InParent(pb, b.id, occ->path, m);
        if (!in_a_parent) {
          at = occ;
          break;
        }
      }
      const bool is_new = at != nullptr || (places.empty() && unlisted_places);
      if (!at) at = places.empty() ? &first : places.front();
      std::string commit = at->commit == SIZE_MAX ? "" : ctx.model.commits[at->commit].hex;
      std::string path = at->path.empty() ? "blob " + OidToHex(b.id) : at->path;
      Finding f = SecretFinding(m, at->ref, commit, path);
      if (places.empty()) f.message += " (also at " + std::to_string(b.dropped_occurrences) + " more places not listed)";
      if (!is_new) {
        f.message += " (already present in the parent commit)";
        if (!cfg.secrets.block_preexisting) f.severity = Severity::kWarning;
      }
      out->push_back(std::move(f));
      keep(m);
    }
  }
  if (cache) cache->Save().ok();  // a cache that cannot be written costs only time
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
