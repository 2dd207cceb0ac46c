#include "signatures/commit_signature.h"

namespace pushgate::signatures {
namespace {

constexpr size_t kMaxCommitBytes = 64u << 20;

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

SignatureKind DetectSignatureKind(std::string_view signature) {
  if (StartsWith(signature, "-----BEGIN PGP SIGNATURE-----") || StartsWith(signature, "-----BEGIN PGP MESSAGE-----")) {
    return SignatureKind::kOpenPgp;
  }
  if (StartsWith(signature, "-----BEGIN SSH SIGNATURE-----")) return SignatureKind::kSsh;
  if (StartsWith(signature, "-----BEGIN SIGNED MESSAGE-----")) return SignatureKind::kX509;
  return SignatureKind::kUnknown;
}

const char* SignatureKindName(SignatureKind kind) {
  switch (kind) {
    case SignatureKind::kNone: return "none";
    case SignatureKind::kOpenPgp: return "openpgp";
    case SignatureKind::kSsh: return "ssh";
    case SignatureKind::kX509: return "x509";
    case SignatureKind::kUnknown: return "unknown";
  }
  return "unknown";
}

Result<CommitSignature> SplitCommitSignature(std::string_view raw, ObjectFormat format) {
  const std::string_view signing_header = format == ObjectFormat::kSha256 ? "gpgsig-sha256" : "gpgsig";
  if (raw.size() > kMaxCommitBytes) return Status::Corruption("commit object is too large");
  CommitSignature out;
  out.payload.reserve(raw.size());
  bool in_signature = false;  // inside a gpgsig* header's continuation lines
  bool keep_signature = false;  // the current gpgsig* header is the one we collect
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    size_t next = nl == std::string_view::npos ? raw.size() : nl + 1;
    std::string_view line = raw.substr(pos, next - pos);  // includes its '\n', if any
    if (line == "\n") {  // end of headers: the message is copied verbatim
      out.payload.append(raw.substr(pos));
      break;
    }
    if (in_signature && StartsWith(line, " ")) {
      if (keep_signature) out.signature.append(line.substr(1));
      pos = next;
      continue;
    }
    in_signature = false;
    if (StartsWith(line, "gpgsig")) {
      // "gpgsig " signs in a SHA-1 repository, "gpgsig-sha256 " in a SHA-256 one; git drops every
      // gpgsig* header from the payload either way, and the other format's is no signature.
      in_signature = true;
      size_t space = line.find(' ');
      std::string_view name = line.substr(0, space);
      keep_signature = space != std::string_view::npos && name == signing_header;
      if (keep_signature) {
        ++out.signature_headers;
        if (space != std::string_view::npos) out.signature.append(line.substr(space + 1));
      }
      pos = next;
      continue;
    }
    if (StartsWith(line, "committer ")) {
      std::string_view value = line.substr(10);
      if (!value.empty() && value.back() == '\n') value.remove_suffix(1);
      out.committer = std::string(value);
      size_t lt = value.find('<');
      size_t gt = lt == std::string_view::npos ? lt : value.find('>', lt);
      if (gt != std::string_view::npos) out.committer_email = std::string(value.substr(lt + 1, gt - lt - 1));
    }
    out.payload.append(line);
    pos = next;
  }
  if (out.signature_headers > 0) out.kind = DetectSignatureKind(out.signature);
  return out;
}

}  // namespace pushgate::signatures
