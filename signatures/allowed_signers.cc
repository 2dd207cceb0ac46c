#include "signatures/allowed_signers.h"

#include <algorithm>
#include <cctype>

#include <cctype>
#include <ctime>

#include "base/files.h"
#include "base/lines.h"

namespace pushgate::signatures {
namespace {

constexpr uint64_t kMaxFileBytes = 16ull << 20;

// Splits off the next whitespace-separated field; double quotes group (as OpenSSH's strdelim).
// Returns false on an unterminated quote.
bool NextField(std::string_view& rest, std::string& field) {
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  field.clear();
  bool quoted = false;
  size_t i = 0;
  for (; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == ' ' || c == '\t')) break;
  }
  if (quoted) return false;
  field = std::string(rest.substr(0, i));
  rest.remove_prefix(i);
  return true;
}

std::vector<std::string> SplitList(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = list.find(',', start);
    out.emplace_back(list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// Splits an options field at commas that are outside double quotes.
std::vector<std::string> SplitOptions(std::string_view field) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : field) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// Heuristic used by OpenSSH's own parser: a field that names a key algorithm starts the key.
bool LooksLikeKeyType(std::string_view field) {
  return field.substr(0, 4) == "ssh-" || field.substr(0, 6) == "ecdsa-" || field.substr(0, 3) == "sk-" ||
         field.find("@openssh.com") != std::string_view::npos;
}

// Parses YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z] (ssh-keygen(1)); local time unless suffixed Z.
std::optional<int64_t> ParseTimestamp(std::string_view text) {
  bool utc = !text.empty() && (text.back() == 'Z' || text.back() == 'z');
  if (utc) text.remove_suffix(1);
  if (text.size() != 8 && text.size() != 12 && text.size() != 14) return std::nullopt;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  auto num = [&](size_t pos, size_t len) { return std::stoi(std::string(text.substr(pos, len))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  if (text.size() >= 12) {
    tm.tm_hour = num(8, 2);
    tm.tm_min = num(10, 2);
  }
  if (text.size() == 14) tm.tm_sec = num(12, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_isdst = -1;
  time_t t = utc ? timegm(&tm) : mktime(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return static_cast<int64_t>(t);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// Removes one pair of surrounding double quotes; false when the value is not quoted.
bool Unquote(std::string_view value, std::string& out) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') return false;
  out = std::string(value.substr(1, value.size() - 2));
  return out.find('"') == std::string::npos;
}

// OpenSSH match_pattern: '*' matches any run, '?' one character. Iterative with one backtrack
// point, so hostile patterns cannot cause exponential time.
bool MatchPattern(std::string_view s, std::string_view p, bool fold_case) {
  auto eq = [fold_case](char a, char b) {
    return fold_case ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b))
                     : a == b;
  };
  size_t si = 0, pi = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], s[si])))) {
      ++si;
      ++pi;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace

bool MatchPatternList(std::string_view text, const std::vector<std::string>& patterns, bool fold_case) {
  bool positive = false;
  for (const auto& pattern : patterns) {
    bool negated = !pattern.empty() && pattern[0] == '!';
    std::string_view p = negated ? std::string_view(pattern).substr(1) : std::string_view(pattern);
    if (MatchPattern(text, p, fold_case)) {
      if (negated) return false;  // a negated match overrides everything
      positive = true;
    }
  }
  return positive;
}

Result<AllowedSigners> AllowedSigners::Parse(std::string_view text, std::string_view file_name) {
  AllowedSigners result;
  LineReader lines(text, /*strip_cr=*/true);
  std::string_view line;
  while (lines.Next(&line)) {
    const int line_no = static_cast<int>(lines.number());
    auto fail = [&](const std::string& why) {
      return Status::InvalidArgument(std::string(file_name) + ":" + std::to_string(line_no) + ": " + why);
    };
    std::string_view rest = line;
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (rest.empty() || rest.front() == '#') continue;

    AllowedSigner entry;
    entry.line = line_no;
    std::string field;
    if (!NextField(rest, field)) return fail("unterminated quote");
    std::string principals = field;
    if (principals.size() >= 2 && principals.front() == '"' && principals.back() == '"') {
      principals = principals.substr(1, principals.size() - 2);
    }
    if (principals.empty()) return fail("missing principals");
    entry.principals = SplitList(principals);

    if (!NextField(rest, field)) return fail("unterminated quote");
    if (field.empty()) return fail("missing key");
    if (!LooksLikeKeyType(field)) {
      bool seen_ns = false;
      for (const auto& option : SplitOptions(field)) {
        size_t eq = option.find('=');
        std::string_view name = std::string_view(option).substr(0, eq);
        std::string value;
        if (eq != std::string::npos && !Unquote(std::string_view(option).substr(eq + 1), value)) {
          return fail("option " + std::string(name) + " needs a double-quoted value");
        }
        if (EqualsIgnoreCase(name, "cert-authority") && eq == std::string::npos) {
          if (entry.cert_authority) return fail("duplicate cert-authority option");
          entry.cert_authority = true;
        } else if (EqualsIgnoreCase(name, "namespaces") && eq != std::string::npos) {
          if (seen_ns) return fail("duplicate namespaces option");
          seen_ns = true;
          entry.namespaces = SplitList(value);
        } else if ((EqualsIgnoreCase(name, "valid-after") || EqualsIgnoreCase(name, "valid-before")) &&
                   eq != std::string::npos) {
          bool after = EqualsIgnoreCase(name, "valid-after");
          auto& slot = after ? entry.valid_after : entry.valid_before;
          if (slot) return fail("duplicate " + std::string(name) + " option");
          slot = ParseTimestamp(value);
          if (!slot) return fail("invalid time \"" + value + "\" (want YYYYMMDD[HHMM[SS]][Z])");
        } else {
          return fail("unknown option \"" + option + "\"");
        }
      }
      if (entry.valid_after && entry.valid_before && *entry.valid_before <= *entry.valid_after) {
        return fail("valid-before is not after valid-after");
      }
      if (!NextField(rest, field)) return fail("unterminated quote");
      if (field.empty()) return fail("missing key type");
    }
    std::string type = field;
    if (!NextField(rest, field) || field.empty()) return fail("missing base64 key after " + type);
    auto key = ParseSshPublicKey(type, field);
    if (!key.ok()) return fail(key.status().message());
    entry.key = std::move(*key);
    result.entries_.push_back(std::move(entry));  // the rest of the line is a comment
  }
  return result;
}

Result<AllowedSigners> AllowedSigners::Load(const std::string& path) {
  auto text = ReadFile(path, kMaxFileBytes);
  if (!text.ok()) return text.status().Prefixed("allowed signers file");
  return Parse(*text, path);
}

std::vector<const AllowedSigner*> AllowedSigners::Find(const SshPublicKey& key, std::string_view ns,
                                                       int64_t now) const {
  std::vector<const AllowedSigner*> found;
  for (const auto& entry : entries_) {
    if (entry.cert_authority) continue;  // a CA key only vouches for certificates, which are unsupported
    if (entry.key.blob != key.blob) continue;
    if (!entry.namespaces.empty() && !MatchPatternList(ns, entry.namespaces)) continue;
    if (entry.valid_after && now < *entry.valid_after) continue;
    if (entry.valid_before && now > *entry.valid_before) continue;
    found.push_back(&entry);
  }
  return found;
}

bool AllowedSigners::PrincipalMatches(const AllowedSigner& entry, std::string_view principal) {
  return MatchPatternList(principal, entry.principals);
}

std::vector<std::string> LiteralPrincipals(const AllowedSigner& entry) {
  std::vector<std::string> out;
  for (const auto& p : entry.principals) {
    if (!p.empty() && p[0] != '!' && p.find_first_of("*?") == std::string::npos) out.push_back(p);
  }
  return out;
}

bool SharesIdentity(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a) {
    for (const auto& y : b) {
      if (!x.empty() && x.size() == y.size() &&
          std::equal(x.begin(), x.end(), y.begin(), [](char p, char q) {
            return std::tolower(static_cast<unsigned char>(p)) == std::tolower(static_cast<unsigned char>(q));
          })) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace pushgate::signatures
