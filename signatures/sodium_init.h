// Initialises libsodium once per process before any signature is verified. libsodium requires
// sodium_init() before other calls; after it, its functions are thread-safe.
//
// Thread-safety: safe to call from any thread, any number of times.
#pragma once

#include "base/status.h"

namespace pushgate::signatures {

// Calls sodium_init() the first time; Internal error when libsodium cannot initialise.
Status EnsureSodium();

}  // namespace pushgate::signatures
