#include "base/lines.h"

namespace pushgate {

bool LineReader::Next(std::string_view* line) {
  if (rest_.empty()) return false;
  size_t nl = rest_.find('\n');
  *line = rest_.substr(0, nl);
  rest_.remove_prefix(nl == std::string_view::npos ? rest_.size() : nl + 1);
  if (strip_cr_ && !line->empty() && line->back() == '\r') line->remove_suffix(1);
  ++number_;
  return true;
}

}  // namespace pushgate
