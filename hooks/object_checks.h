// Object hygiene (the checks `git fsck` makes, whatever `receive.fsckObjects` says): every new
// tree, commit and tag of a push is checked for what breaks or endangers the clients that fetch
// it — `.`, `..` and `.git` entries in any case and in their NTFS/HFS spellings, `/` in names,
// duplicate entries, bad modes, a `.gitmodules` that is a symlink or carries an option-like URL
// or path, malformed author/committer/tagger lines. Each problem is an "object" finding naming
// the object.
//
// Thread-safety: uses the context's Repository; run on the thread that owns it.
#pragma once

#include <vector>

#include "hooks/checks.h"

namespace pushgate {

// Checks the objects the push brings. A non-OK Status means an object could not be read.
Status CheckObjects(const CheckContext& ctx, std::vector<Finding>* out);

}  // namespace pushgate
