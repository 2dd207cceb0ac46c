// policies.documents over the YAML and JSON files that a push changes, judged in their final
// version: the content at each updated ref's new tip (a manifest fixed by a later commit of the
// same push is fine; what would be applied is what counts).
#include <chrono>
#include <set>

#include "hooks/checks.h"

namespace pushgate {

void CheckDocuments(const CheckContext& ctx, std::vector<Finding>* out) {
  const auto& pol = ctx.config.policies;
  if (pol.documents.empty()) return;
  std::set<std::pair<std::string, std::string>> judged;  // (blob, rule): each judged once
  for (const auto& ref : ctx.model.refs) {
    if (ref.target_commit.empty() || ref.commits.empty()) continue;
    // What cannot be read is a finding, never a skipped file.
    auto unreadable = [&](const std::string& path, const std::string& what) {
      Finding f;
      f.rule = "document/" + pol.documents.front().id;
      f.ref = ref.update.ref;
      f.commit = ref.target_commit;
      f.path = path;
      f.message = "cannot be checked: " + what;
      out->push_back(std::move(f));
    };
    auto tip = OidFromHex(ref.target_commit);
    git_commit* commit_raw = nullptr;
    if (!tip.ok() || git_commit_lookup(&commit_raw, ctx.repo.get(), &*tip) != 0) {
      unreadable("", "the new tip " + ref.target_commit + " cannot be read");
      continue;
    }
    GitCommit commit(commit_raw);
    git_tree* tree_raw = nullptr;
    if (git_commit_tree(&tree_raw, commit_raw) != 0) {
      unreadable("", "the tree of " + ref.target_commit + " cannot be read");
      continue;
    }
    GitTree tree(tree_raw);
    git_odb* odb_raw = nullptr;
    if (git_repository_odb(&odb_raw, ctx.repo.get()) != 0) {
      unreadable("", "the object database cannot be opened");
      continue;
    }
    GitOdb odb(odb_raw);
    const DocumentLimits limits;
    for (const auto& path : ctx.model.ChangedPaths(ref)) {
      if (std::chrono::steady_clock::now() > ctx.deadline) {
        Finding f;
        f.rule = "limits";
        f.severity = LimitSeverity(ctx.config.limits);
        f.ref = ref.update.ref;
        f.message = "time budget spent while checking documents; the rest of " + ref.update.ref + " was not checked";
        out->push_back(std::move(f));
        break;
      }
      git_tree_entry* entry_raw = nullptr;
      if (git_tree_entry_bypath(&entry_raw, tree_raw, path.c_str()) != 0) continue;  // gone at the tip
      GitTreeEntry entry(entry_raw);
      if (git_tree_entry_type(entry_raw) != GIT_OBJECT_BLOB) continue;
      std::string blob_hex = OidToHex(*git_tree_entry_id(entry_raw));
      std::vector<DocumentRule> rules;
      for (size_t i = 0; i < pol.documents.size(); ++i) {
        if (pol.document_globs[i].Matches(path) && judged.insert({blob_hex, pol.documents[i].id}).second) {
          rules.push_back(pol.documents[i]);
        }
      }
      if (rules.empty()) continue;
      size_t size = 0;
      git_object_t type = GIT_OBJECT_INVALID;
      if (git_odb_read_header(&size, &type, odb_raw, git_tree_entry_id(entry_raw)) != 0) {
        unreadable(path, "blob " + blob_hex + " cannot be read");
        continue;
      }
      if (size > limits.max_bytes) {
        // Judged by its size alone: a huge file is never loaded to find out it is too large.
        for (const auto& rule : rules) {
          Finding f;
          f.rule = "document/" + rule.id;
          f.ref = ref.update.ref;
          f.commit = ref.target_commit;
          f.path = path;
          f.message = "too complex: " + std::to_string(size) + " bytes is over the " + std::to_string(limits.max_bytes) +
                      "-byte limit for documents";
          out->push_back(std::move(f));
        }
        continue;
      }
      git_blob* blob_raw = nullptr;
      if (git_blob_lookup(&blob_raw, ctx.repo.get(), git_tree_entry_id(entry_raw)) != 0) {
        unreadable(path, "blob " + blob_hex + " cannot be read");
        continue;
      }
      GitBlob blob(blob_raw);
      std::string_view content(static_cast<const char*>(git_blob_rawcontent(blob_raw)),
                               static_cast<size_t>(git_blob_rawsize(blob_raw)));
      for (const auto& v : EvaluateDocumentRules(rules, path, content, limits)) {
        Finding f;
        f.rule = "document/" + v.rule_id;
        f.ref = ref.update.ref;
        f.commit = ref.target_commit;
        f.path = path;
        f.line = v.line;
        f.message = v.message;
        if (!v.selector.empty()) {
          f.message += " (document " + std::to_string(v.document_index + 1) + ", " + v.selector +
                       (v.value.empty() ? "" : " = " + v.value.substr(0, 200)) + ")";
        }
        out->push_back(std::move(f));
      }
    }
  }
}

}  // namespace pushgate
