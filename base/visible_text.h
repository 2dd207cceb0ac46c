// Makes a string that came from a push (a path, a ref name, a commit message, a signer's name, a
// CODEOWNERS line) safe to show a person on a terminal or in a web UI: every character that could
// move the cursor, hide text or reorder it is replaced by a visible escape, so a report cannot be
// made to lie (a path `evil\u202Etxt.exe` shown as `evilexe.txt`) or steer the terminal.
//
// Escapes, not `?`, so that two different hostile strings stay distinguishable and the reader
// sees what was there:
//   - C0 controls (U+0000–U+001F, tab and newline included) and DEL: `\x1b`, `\x0a`, `\x7f`;
//   - C1 controls (U+0080–U+009F), the Unicode bidi controls (U+200E, U+200F, U+202A–U+202E,
//     U+2066–U+2069, U+061C), the zero-width characters (U+200B–U+200D, U+2060, U+FEFF) and the
//     line and paragraph separators (U+2028, U+2029): `\u202E`;
//   - bytes that are not UTF-8: `\xff`.
// A backslash is left as it is: the escapes are for reading, not for parsing back.
//
// Machine-readable outputs (JSON, SARIF, the audit log) keep the raw string: their encoders
// escape it, and a consumer needs the exact bytes.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace pushgate {

// `text` with every control, bidi or invisible formatting character escaped as described above.
std::string VisibleText(std::string_view text);

// True when VisibleText would change `text`.
bool NeedsEscaping(std::string_view text);

}  // namespace pushgate
