// How a rule pattern is handed to each regex engine. Hyperscan finds candidate match ends in one
// pass over the content; RE2 then confirms each candidate and recovers its start and capture
// groups. Both engines must see the same language, so the flags live here, in one place.
//
// Thread-safety: pure functions.
#pragma once

#include <re2/re2.h>

#include <string>

#include "scanner/rules.h"

namespace pushgate::scanner {

// Hyperscan compile flags for a rule: multi-line anchors, plus DOTALL for multiline rules.
unsigned HyperscanFlags(const Rule& rule);

// RE2 options matching HyperscanFlags: byte-oriented (Latin-1) so invalid UTF-8 is just bytes.
RE2::Options Re2Options(const Rule& rule, bool capture);

// The RE2 expression that confirms a rule match: the pattern in multi-line mode.
std::string ConfirmExpression(const Rule& rule);

// The RE2 expression anchored at the end of the text (`pattern\z`): run on the bytes before a
// Hyperscan match end, its leftmost-longest match gives the start of that match.
std::string AnchoredEndExpression(const Rule& rule);

}  // namespace pushgate::scanner
