// The used-token ledger: the file where the hook records every break-glass token it has let
// through, so that a token is good for one push only, even when the same token arrives in several
// concurrent pushes. A token is *reserved* when pre-receive accepts its push and *spent* when
// post-receive sees its ref move: a push that a later hook refuses, or that is refused for another
// ref, leaves the token good for the same exact push.
//
// Format: one line per event, appended only:
//   "<32 lowercase hex id> <RFC 3339 UTC time>\n"                      spent
//   "<32 lowercase hex id> <RFC 3339 UTC time> reserved <binding>\n"   reserved for one push
//
// Thread-safety: claims are serialised by an exclusive flock() on the ledger file itself, so any
// number of threads and processes may claim at once; exactly one claim of a given id succeeds.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace pushgate {

// Records token `id` as used. Returns InvalidArgument when the id was already recorded (a
// replay), or when it is not 32 lowercase hex characters; IOError when the ledger cannot be
// opened, read or written. The ledger file is created (mode 0640) when missing; its directory
// must exist. Call it only after every other check on the token has passed, so that a refused
// token is not used up.
Status ClaimToken(const std::string& ledger_path, const std::string& id);

// The push a token is bound to, as the ledger records it: hex BLAKE2b-128 of the repository, ref,
// old and new ids.
std::string TokenBinding(const std::string& repository, const std::string& ref, const std::string& old_oid,
                         const std::string& new_oid);

// Reserves token `id` for the push `binding` (pre-receive accepted it). InvalidArgument when the
// id was already spent; a reservation by an earlier attempt at the same push is no obstacle.
Status ReserveToken(const std::string& ledger_path, const std::string& id, const std::string& binding);

// Spends every token reserved for `binding` and not spent yet (post-receive: the ref moved), and
// returns their ids. A missing ledger holds no reservation.
Result<std::vector<std::string>> SpendReservedTokens(const std::string& ledger_path, const std::string& binding);

// True when `id` is already recorded in the ledger (a missing ledger records nothing). Read under
// a shared lock; for display only — ClaimToken is the check that counts.
Result<bool> IsTokenClaimed(const std::string& ledger_path, const std::string& id);

}  // namespace pushgate
