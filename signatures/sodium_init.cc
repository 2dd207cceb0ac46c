#include "signatures/sodium_init.h"

#include <sodium.h>

namespace pushgate::signatures {

Status EnsureSodium() {
  static const int result = sodium_init();  // thread-safe static initialisation
  if (result < 0) return Status::Internal("libsodium failed to initialise");
  return Status::Ok();
}

}  // namespace pushgate::signatures
