// policies.documents over the YAML and JSON files that a push changes, judged in their final
// version: the content at each updated ref's new tip (a manifest fixed by a later commit of the
// same push is fine; what would be applied is what counts).
#include <set>

#include "hooks/checks.h"

namespace pushgate {

void CheckDocuments(const CheckContext& ctx, std::vector<Finding>* out) {
  const auto& pol = ctx.config.policies;
  if (pol.documents.empty()) return;
  std::set<std::pair<std::string, std::string>> judged;  // (blob, rule): each judged once
  for (const auto& ref : ctx.model.refs) {
    if (ref.target_commit.empty() || ref.commits.empty()) continue;
    auto tip = OidFromHex(ref.target_commit);
    git_commit* commit_raw = nullptr;
    if (!tip.ok() || git_commit_lookup(&commit_raw, ctx.repo.get(), &*tip) != 0) continue;
    GitCommit commit(commit_raw);
    git_tree* tree_raw = nullptr;
    if (git_commit_tree(&tree_raw, commit_raw) != 0) continue;
    GitTree tree(tree_raw);
    for (const auto& path : ctx.model.ChangedPaths(ref)) {
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
      git_blob* blob_raw = nullptr;
      if (git_blob_lookup(&blob_raw, ctx.repo.get(), git_tree_entry_id(entry_raw)) != 0) continue;
      GitBlob blob(blob_raw);
      std::string_view content(static_cast<const char*>(git_blob_rawcontent(blob_raw)),
                               static_cast<size_t>(git_blob_rawsize(blob_raw)));
      for (const auto& v : EvaluateDocumentRules(rules, path, content)) {
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
