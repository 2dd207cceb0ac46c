// Base64 decoding for secrets hidden one encoding level down, such as the `data:` values of a
// Kubernetes Secret manifest.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace pushgate::scanner {

// Decodes standard base64 (A-Z a-z 0-9 + /, optional '=' padding); a final partial group yields
// the whole bytes it holds. Returns false on any other character.
// Lenient on purpose (it digs secrets out of content), unlike the strict signatures/base64.h.
bool DecodeBase64(std::string_view in, std::string* out);

// True when decoded bytes look like text worth scanning: no NUL and at least 95% printable ASCII,
// tab, CR or LF.
bool LooksLikeText(std::string_view bytes);

// True when the base64 run starting at offset `start` of content is the payload of a
// `data:<type>;base64,` URI whose media type is not text (an image, a font...): not a secret.
bool IsNonTextDataUri(std::string_view content, size_t start);

}  // namespace pushgate::scanner
