// The files a configuration names, checked the way the hook will use them: each is loaded with the
// loader the gate uses, so a file that is missing, unreadable or malformed is found by
// `pushgate config check` and `pushgate doctor` before a push meets it (and is refused for it).
//
//   signers.allowed_signers            signatures::AllowedSigners::Load
//   signers.openpgp_keys               signatures::PgpKeyring::Load
//   signers.gpg_fallback.keyring       signatures::PgpKeyring::Load (when gpg_fallback is enabled)
//   breakglass.approvers               signatures::AllowedSigners::Load
//   secrets.baseline                   scanner::Baseline::Load (when secrets are enabled)
//   secrets.extra_rules                scanner::LoadRuleSet, then each extra rule's patterns
//   policies.external[ID].command      the program resolves to an executable file
//
// Files the hook writes (audit.log, breakglass.used_tokens, secrets.cache_dir) depend on the user
// the hook runs as; doctor checks those.
//
// Thread-safety: the functions share no state; they read files and the environment (PATH).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "config/config.h"

namespace pushgate {

// One referenced file and what loading it gave.
struct ReferencedFileCheck {
  std::string key;   // the configuration key naming it, e.g. "signers.allowed_signers"
  std::string path;  // as configured (absolute after loading), or the program of an external policy
  Status status;     // OK, or why the hook cannot use it
};

// Checks every file cfg references, in the order of the table above; keys that name nothing are
// left out.
std::vector<ReferencedFileCheck> CheckEachReferencedFile(const Config& cfg);

// Every problem CheckEachReferencedFile finds, at once: InvalidArgument with one line per problem,
// "<key>: <why>"; OK when every referenced file loads.
Status CheckReferencedFiles(const Config& cfg);

// The program an external policy runs. A name without '/' is looked up on PATH, in absolute
// directories only, because the command starts in the directory of pushed files and an empty or
// "." PATH entry would otherwise run one of them. A relative path with '/' is taken relative to the
// configuration file (config_source), like every other relative path in it. NotFound when PATH has
// no executable of that name.
Result<std::string> ResolvePolicyProgram(const std::string& program, const std::string& config_source);

}  // namespace pushgate
