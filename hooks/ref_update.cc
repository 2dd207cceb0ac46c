#include "hooks/ref_update.h"

#include <algorithm>

#include "base/lines.h"

namespace pushgate {

namespace {

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status CheckOid(std::string_view oid, const std::string& where) {
  if (oid.size() == 64 && IsHex(oid)) {
    return Status::InvalidArgument(where + ": SHA-256 object ids are not supported (this pushgate build reads "
                                           "SHA-1 repositories only)");
  }
  if (oid.size() != 40 || !IsHex(oid)) {
    return Status::InvalidArgument(where + ": '" + std::string(oid.substr(0, 80)) + "' is not an object id");
  }
  return Status::Ok();
}

Status CheckRefName(std::string_view ref, const std::string& where) {
  if (ref.rfind("refs/", 0) != 0 || ref.size() > 4096) {
    return Status::InvalidArgument(where + ": '" + std::string(ref.substr(0, 200)) + "' is not a full ref name");
  }
  for (unsigned char c : ref) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument(where + ": ref name has a control character");
  }
  return Status::Ok();
}

}  // namespace

bool IsZeroOid(std::string_view oid) {
  return !oid.empty() && std::all_of(oid.begin(), oid.end(), [](char c) { return c == '0'; });
}

bool RefUpdate::is_create() const { return IsZeroOid(old_oid); }
bool RefUpdate::is_delete() const { return IsZeroOid(new_oid); }

const char* RefChangeName(RefChange change) {
  switch (change) {
    case RefChange::kCreate: return "create";
    case RefChange::kDelete: return "delete";
    case RefChange::kFastForward: return "fast-forward";
    case RefChange::kForce: return "force";
  }
  return "?";
}

Result<RefUpdate> MakeRefUpdate(const std::string& ref, const std::string& old_oid, const std::string& new_oid) {
  PG_RETURN_IF_ERROR(CheckOid(old_oid, "old object id"));
  PG_RETURN_IF_ERROR(CheckOid(new_oid, "new object id"));
  PG_RETURN_IF_ERROR(CheckRefName(ref, "ref"));
  if (IsZeroOid(old_oid) && IsZeroOid(new_oid)) {
    return Status::InvalidArgument("ref " + ref + ": both object ids are zero");
  }
  RefUpdate u{old_oid, new_oid, ref};
  if (u.is_create()) u.change = RefChange::kCreate;
  if (u.is_delete()) u.change = RefChange::kDelete;
  return u;
}

Result<std::vector<RefUpdate>> ParseRefUpdates(std::string_view text) {
  std::vector<RefUpdate> out;
  LineReader lines(text, /*strip_cr=*/true);
  std::string_view line;
  while (lines.Next(&line)) {
    if (line.empty()) continue;
    std::string where = "ref update line " + std::to_string(lines.number());
    size_t s1 = line.find(' ');
    size_t s2 = s1 == std::string_view::npos ? s1 : line.find(' ', s1 + 1);
    if (s2 == std::string_view::npos) return Status::InvalidArgument(where + ": expected '<old> <new> <ref>'");
    auto u = MakeRefUpdate(std::string(line.substr(s2 + 1)), std::string(line.substr(0, s1)),
                           std::string(line.substr(s1 + 1, s2 - s1 - 1)));
    if (!u.ok()) return u.status().Prefixed(where);
    out.push_back(std::move(*u));
  }
  return out;
}

}  // namespace pushgate
