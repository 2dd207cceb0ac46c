#include "scanner/pattern.h"

#include <hs/hs.h>

namespace pushgate::scanner {

unsigned HyperscanFlags(const Rule& rule) {
  unsigned flags = HS_FLAG_MULTILINE;
  if (rule.multiline) flags |= HS_FLAG_DOTALL;
  return flags;
}

RE2::Options Re2Options(const Rule& rule, bool capture) {
  RE2::Options opts;
  opts.set_encoding(RE2::Options::EncodingLatin1);
  opts.set_dot_nl(rule.multiline);
  opts.set_log_errors(false);
  opts.set_never_capture(!capture);
  return opts;
}

std::string ConfirmExpression(const Rule& rule) { return "(?m)(?:" + rule.pattern + ")"; }

std::string AnchoredEndExpression(const Rule& rule) { return "(?m)(?:" + rule.pattern + ")\\z"; }

}  // namespace pushgate::scanner
