#include "hooks/finding.h"

#include <map>
#include <tuple>

namespace pushgate {

void BoundFindings(std::vector<Finding>* findings, size_t max) {
  if (findings->size() <= max) return;
  std::map<std::tuple<std::string, std::string, int>, size_t> more;  // (rule, ref, severity) -> count
  for (size_t i = max; i < findings->size(); ++i) {
    const Finding& f = (*findings)[i];
    ++more[{f.rule, f.ref, static_cast<int>(f.severity)}];
  }
  findings->resize(max);
  for (const auto& [key, count] : more) {
    Finding f;
    f.rule = std::get<0>(key);
    f.ref = std::get<1>(key);
    f.severity = static_cast<Severity>(std::get<2>(key));
    f.message = std::to_string(count) + " more " + f.rule + " finding" + (count == 1 ? "" : "s") + " on " +
                (f.ref.empty() ? "this push" : f.ref) + " not listed (at most " + std::to_string(max) +
                " findings are listed)";
    findings->push_back(std::move(f));
  }
}

}  // namespace pushgate
