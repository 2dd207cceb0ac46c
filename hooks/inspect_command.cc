#include "hooks/inspect_command.h"

#include <ctime>
#include <iostream>

#include "base/visible_text.h"
#include "config/codeowners.h"
#include "config/config.h"
#include "hooks/repository.h"
#include "signatures/verifier.h"

namespace pushgate {

namespace {

// Everything these commands print that came from the repository (signer names and user ids,
// CODEOWNERS patterns, owners and sections, error messages quoting them) goes through
// VisibleText: control and bidi characters are shown as escapes, never interpreted.
int Error(const Status& s) {
  std::cerr << "pushgate: error: " << VisibleText(s.message()) << "\n";
  return s.ExitCode();
}

Result<Config> ConfigFor(const std::string& config_path) {
  const char* git_dir = std::getenv("GIT_DIR");
  return LoadConfig(LocateConfig(config_path, git_dir ? git_dir : ""));
}

}  // namespace

int RunVerifyCommit(const std::vector<std::string>& revs, const std::string& config_path) {
  auto cfg = ConfigFor(config_path);
  if (!cfg.ok()) return Error(cfg.status());
  auto repo = Repository::Discover(".");
  if (!repo.ok()) return Error(repo.status());
  const auto& s = cfg->signers;
  auto verifier = signatures::CommitVerifier::Create({s.allowed_signers, s.openpgp_keys, s.ssh_fallback, s.gpg_fallback,
                                                      s.gpg_keyring});
  if (!verifier.ok()) return Error(verifier.status().Prefixed("signers"));
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, repo->get()) != 0) return Error(GitError("cannot open object database"));
  GitOdb odb(odb_raw);
  bool all_good = true;
  for (const auto& rev : revs) {
    auto commit = ResolveRevision(repo->get(), rev, GIT_OBJECT_COMMIT);
    if (!commit.ok()) return Error(commit.status());
    git_odb_object* obj = nullptr;
    if (git_odb_read(&obj, odb_raw, git_object_id(commit->get())) != 0) return Error(GitError("cannot read " + rev));
    GitOdbObject holder(obj);
    std::string_view raw(static_cast<const char*>(git_odb_object_data(obj)), git_odb_object_size(obj));
    auto v = (*verifier)->Verify(raw, static_cast<int64_t>(std::time(nullptr)));
    all_good = all_good && v.status == signatures::SignatureStatus::kGood;
    std::cout << OidToHex(*git_object_id(commit->get())).substr(0, 10) << " " << signatures::StatusName(v.status)
              << (v.signer.empty() ? "" : " " + VisibleText(v.signer))
              << (v.key_fingerprint.empty() ? "" : " " + VisibleText(v.key_fingerprint))
              << (v.detail.empty() ? "" : ": " + VisibleText(v.detail)) << "\n";
  }
  return all_good ? 0 : 1;
}

int RunCodeowners(const std::string& rev, const std::vector<std::string>& paths, const std::string& config_path) {
  auto cfg = ConfigFor(config_path);
  if (!cfg.ok()) return Error(cfg.status());
  CodeownersDialect dialect = CodeownersDialect::kGitHub;
  std::vector<std::string> locations = CodeownersLocations(dialect);
  if (!cfg->environments.empty()) {
    const auto& env = cfg->environments.front();
    dialect = env.codeowners_dialect;
    locations = env.codeowners_file.empty() ? CodeownersLocations(dialect) : std::vector<std::string>{env.codeowners_file};
  }
  auto repo = Repository::Discover(".");
  if (!repo.ok()) return Error(repo.status());
  auto tree = ResolveRevision(repo->get(), rev.empty() ? "HEAD" : rev, GIT_OBJECT_TREE);
  if (!tree.ok()) return Error(tree.status());
  for (const auto& loc : locations) {
    git_tree_entry* e = nullptr;
    if (git_tree_entry_bypath(&e, reinterpret_cast<git_tree*>(tree->get()), loc.c_str()) != 0) continue;
    GitTreeEntry entry(e);
    git_blob* b = nullptr;
    if (git_blob_lookup(&b, repo->get(), git_tree_entry_id(e)) != 0) continue;
    GitBlob blob(b);
    std::string_view text(static_cast<const char*>(git_blob_rawcontent(b)), static_cast<size_t>(git_blob_rawsize(b)));
    auto co = Codeowners::Parse(text, dialect, loc);
    if (!co.ok()) return Error(co.status());
    for (const auto& w : co->warnings()) std::cerr << "pushgate: warning: " << VisibleText(w) << "\n";
    for (const auto& path : paths) {
      auto matches = co->Lookup(path);
      if (matches.empty()) std::cout << VisibleText(path) << ": no owner\n";
      for (const auto& m : matches) {
        std::string owners;
        for (const auto& o : m.owners) owners += " " + o;
        std::cout << VisibleText(path) << ":" << (owners.empty() ? " (no valid owner)" : VisibleText(owners)) << "  ["
                  << loc << ":" << m.line << " " << VisibleText(m.pattern)
                  << (m.section.empty() ? "" : " section " + VisibleText(m.section)) << "]\n";
      }
    }
    return 0;
  }
  return Error(Status::NotFound("no CODEOWNERS file (" + locations.front() + "...) at " + (rev.empty() ? "HEAD" : rev)));
}

}  // namespace pushgate
