// The used-token ledger: the file where the hook records the id of every break-glass token it
// has accepted, so that a token is good for one push only, even when the same token arrives in
// several concurrent pushes.
//
// Format: one line per used token, "<32 lowercase hex id> <RFC 3339 UTC time>\n". The file is
// only ever appended to.
//
// Thread-safety: claims are serialised by an exclusive flock() on the ledger file itself, so any
// number of threads and processes may claim at once; exactly one claim of a given id succeeds.
#pragma once

#include <string>

#include "base/status.h"

namespace pushgate {

// Records token `id` as used. Returns InvalidArgument when the id was already recorded (a
// replay), or when it is not 32 lowercase hex characters; IOError when the ledger cannot be
// opened, read or written. The ledger file is created (mode 0640) when missing; its directory
// must exist. Call it only after every other check on the token has passed, so that a refused
// token is not used up.
Status ClaimToken(const std::string& ledger_path, const std::string& id);

// True when `id` is already recorded in the ledger (a missing ledger records nothing). Read under
// a shared lock; for display only — ClaimToken is the check that counts.
Result<bool> IsTokenClaimed(const std::string& ledger_path, const std::string& id);

}  // namespace pushgate
