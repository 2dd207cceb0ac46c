#include "install/hook_locations.h"

#include "install/hook_wrapper.h"

namespace pushgate {

bool PreReceiveInstalled(const std::string& git_dir) {
  for (const char* rel : {"/hooks/pre-receive", "/hooks/pre-receive.d/pushgate", "/custom_hooks/pre-receive.d/pushgate"}) {
    if (IsManagedHook(git_dir + rel)) return true;
  }
  return false;
}

}  // namespace pushgate
