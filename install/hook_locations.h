// Where pushgate's hook wrappers live, for every install target: the one table the gate, the
// installer and doctor read.
//
// Thread-safety: the functions only read files; they share no state.
#pragma once

#include <string>

namespace pushgate {

// True when pushgate's own pre-receive is installed for the repository at git_dir: it has then
// judged every ref of the push already, so the update hook need not repeat the work.
bool PreReceiveInstalled(const std::string& git_dir);

}  // namespace pushgate
