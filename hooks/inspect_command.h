// `pushgate verify-commit REV...` and `pushgate codeowners [--rev REV] PATH...`: what the hook
// would conclude about commit signatures and path ownership, asked from a shell.
//
// Thread-safety: one command per process.
#pragma once

#include <string>
#include <vector>

namespace pushgate {

// Prints one line per commit: short id, status (good, bad, unknown-key, principal-mismatch,
// expired-key, unsupported, unsigned), signer, detail. Exit 0 when every commit is good.
int RunVerifyCommit(const std::vector<std::string>& revs, const std::string& config_path);

// Prints the owners of each path in the CODEOWNERS file at REV (default HEAD) and the line that
// matched. The dialect and file come from the first configured environment, else GitHub's.
int RunCodeowners(const std::string& rev, const std::vector<std::string>& paths, const std::string& config_path);

}  // namespace pushgate
