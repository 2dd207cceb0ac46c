#include "hooks/report.h"

#include <algorithm>
#include <set>

#include "base/visible_text.h"

namespace pushgate {

bool AnyBlocking(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.blocking(); });
}

namespace {

std::string RuleKind(const std::string& rule) {
  auto slash = rule.find('/');
  return slash == std::string::npos ? rule : rule.substr(0, slash);
}

const char* SeverityWord(const Finding& f) {
  if (f.waived) return "waived";
  return f.severity == Severity::kError ? "error" : "warning";
}

}  // namespace

std::string FormatFinding(const Finding& f, bool color) {
  // Every part but the rule id and the severity can come from the push (ref names, paths, commit
  // messages quoted in a message, signer names): control and bidi characters are shown escaped
  // (base/visible_text.h), so pushed content can neither steer the terminal nor reorder the line.
  std::string word = SeverityWord(f);
  if (color) word = (f.severity == Severity::kError ? "\033[31m" : "\033[33m") + word + "\033[0m";
  std::string where;
  auto add = [&where](const std::string& part) { where += (where.empty() ? "" : " ") + VisibleText(part); };
  if (!f.ref.empty()) add(f.ref);
  if (!f.commit.empty()) add(f.commit.substr(0, 10));
  if (!f.path.empty()) add(f.line > 0 ? f.path + ":" + std::to_string(f.line) : f.path);
  std::string line = "pushgate: " + word + ": " + VisibleText(f.rule) + ": " + (where.empty() ? "" : where + ": ") +
                     VisibleText(f.message);
  if (!f.redacted.empty()) line += " [" + VisibleText(f.redacted) + "]";
  return line;
}

std::string HintFor(const std::string& rule) {
  std::string kind = RuleKind(rule);
  if (kind == "secret")
    return "remove the secret from every commit of the push (git rebase -i, git commit --amend) and rotate it; "
           "a false positive can be marked with 'pushgate:allow' on its line";
  if (kind == "protected-ref") return "this ref is protected: push to another branch and merge it through review";
  if (kind == "forbidden-path") return "remove the file from the commits (git rm --cached, then rewrite the commits)";
  if (kind == "max-file-size") return "keep large files out of Git (Git LFS or an artifact store), then rewrite the commits";
  if (kind == "signed-commit")
    return "sign the commits with a trusted key: git rebase --exec 'git commit --amend --no-edit -S' <base>";
  if (kind == "codeowners") return "the change must be approved (signed) by an owner of the path in CODEOWNERS";
  if (kind == "commit-message") return "reword the commit messages (git rebase -i, 'reword')";
  if (kind == "email-domain") return "commit with an address of an allowed domain (git config user.email), then rewrite";
  if (kind == "document") return "fix the document so that it satisfies the policy";
  if (kind == "external") return "see the policy command's output below";
  if (kind == "object")
    return "the push carries objects that git fsck rejects and that would break or endanger every clone; "
           "rewrite the commits that carry them (git fsck names them locally)";
  if (kind == "limits") return "split the push into smaller pushes, or ask an administrator to raise the limits";
  if (kind == "breakglass") return "ask the approvers for a token that matches this exact push";
  if (kind == "config" || kind == "internal") return "ask the server administrator to run 'pushgate config check'";
  return "";
}

std::string FormatHookReport(const std::vector<Finding>& findings, const std::vector<std::string>& notes,
                             bool refused, const ReportOptions& options) {
  std::vector<const Finding*> order;
  for (const auto& f : findings) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(), [](const Finding* a, const Finding* b) {
    return a->blocking() && !b->blocking();
  });
  std::string out;
  std::set<std::string> hinted;
  std::vector<std::string> gitlab;
  for (const Finding* f : order) {
    std::string line = FormatFinding(*f, options.color);
    out += line + "\n";
    if (f->blocking()) gitlab.push_back(line);
    std::string kind = RuleKind(f->rule);
    if (f->blocking() && hinted.insert(kind).second) {
      std::string hint = HintFor(f->rule);
      if (!hint.empty()) out += "pushgate: hint: " + hint + "\n";
    }
  }
  for (const auto& n : notes) out += "pushgate: note: " + VisibleText(n) + "\n";
  if (refused) {
    out += "pushgate: error: push refused\n";
    if (options.breakglass_available) {
      out += "pushgate: hint: if this push must land, an approver can sign an override for it: "
             "pushgate breakglass sign --rules <ids> ..., then git push -o breakglass=<token>\n";
    }
    gitlab.push_back("pushgate: push refused");
  }
  if (options.gitlab) {
    for (const auto& l : gitlab) out += "GL-HOOK-ERR: " + l + "\n";
  }
  return out;
}

nlohmann::json FindingsToJson(const std::vector<Finding>& findings, const std::string& root) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& f : findings) {
    nlohmann::json j = {{"rule", f.rule},
                        {"severity", f.severity == Severity::kError ? "error" : "warning"},
                        {"path", f.path},
                        {"line", f.line},
                        {"message", f.message}};
    if (!f.commit.empty()) j["commit"] = f.commit;
    if (!f.ref.empty()) j["ref"] = f.ref;
    if (!f.redacted.empty()) j["secret"] = f.redacted;
    arr.push_back(std::move(j));
  }
  return {{"version", 1}, {"tool", "pushgate"}, {"root", root}, {"findings", arr}};
}

nlohmann::json FindingsToSarif(const std::vector<Finding>& findings,
                               const std::vector<std::pair<std::string, std::string>>& rules,
                               const std::string& version) {
  nlohmann::json rule_list = nlohmann::json::array();
  for (const auto& [id, description] : rules) {
    rule_list.push_back({{"id", id}, {"shortDescription", {{"text", description}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : findings) {
    nlohmann::json region = nlohmann::json::object();
    if (f.line > 0) region["startLine"] = f.line;
    nlohmann::json physical = {{"artifactLocation", {{"uri", f.path}}}};
    if (!region.empty()) physical["region"] = region;
    std::string text = f.message + (f.redacted.empty() ? "" : " [" + f.redacted + "]");
    nlohmann::json r = {{"ruleId", f.rule},
                        {"level", f.severity == Severity::kError ? "error" : "warning"},
                        {"message", {{"text", text}}},
                        {"locations", nlohmann::json::array({{{"physicalLocation", physical}}})}};
    if (!f.commit.empty()) r["properties"] = {{"commit", f.commit}};
    results.push_back(std::move(r));
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           nlohmann::json::array({{{"tool",
                                    {{"driver",
                                      {{"name", "pushgate"},
                                       {"version", version},
                                       {"rules", rule_list}}}}},
                                   {"results", results}}})}};
}

}  // namespace pushgate
