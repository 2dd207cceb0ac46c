#include "install/hook_wrapper.h"

#include <sys/stat.h>

#include <fstream>

namespace pushgate {
namespace {

// Bumped when the wrapper's behaviour changes; any version is recognised as pushgate's.
constexpr const char* kWrapperVersion = "1";

// How far into a file the marker is looked for; it is always on the second line.
constexpr std::streamsize kMarkerWindow = 1024;

std::string Subcommand(HookKind kind) {
  switch (kind) {
    case HookKind::kPreReceive: return "pre-receive";
    case HookKind::kUpdate: return "update \"$@\"";
    case HookKind::kPreCommit: return "pre-commit";
  }
  return "";
}

}  // namespace

const char* HookName(HookKind kind) {
  switch (kind) {
    case HookKind::kPreReceive: return "pre-receive";
    case HookKind::kUpdate: return "update";
    case HookKind::kPreCommit: return "pre-commit";
  }
  return "";
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

std::string RenderWrapper(const WrapperSpec& spec) {
  std::string command = ShellQuote(spec.binary);
  if (!spec.config.empty()) command += " --config " + ShellQuote(spec.config);
  command += " " + Subcommand(spec.kind);

  std::string s = "#!/bin/sh\n";
  s += std::string(kWrapperMarker) + kWrapperVersion + "\n";
  s += "# Written by `pushgate install` and removed by `pushgate uninstall`; reinstalling rewrites it.\n";
  if (spec.chained.empty()) {
    s += "exec " + command + "\n";
    return s;
  }

  const std::string hook = HookName(spec.kind);
  s += "# The " + hook + " hook that was here before runs once pushgate accepts, with the same input;\n";
  s += "# both must accept. `pushgate uninstall` puts it back in place.\n";
  s += "case $0 in */*) hook_dir=${0%/*} ;; *) hook_dir=. ;; esac\n";
  s += "chained=\"$hook_dir/\"" + ShellQuote(spec.chained) + "\n";
  if (spec.kind == HookKind::kPreReceive) {
    // Both programs must read the same ref list. A temporary file keeps the input byte-exact
    // (command substitution would drop trailing newlines) and works for any size.
    s += "input=$(mktemp \"${TMPDIR:-/tmp}/pushgate-pre-receive.XXXXXX\") || exit 1\n";
    s += "trap 'rm -f \"$input\"' EXIT\n";
    s += "trap 'exit 1' HUP INT TERM\n";
    s += "cat >\"$input\" || exit 1\n";
    s += command + " <\"$input\" || exit $?\n";
    // Git skips hooks that are not executable; the chained hook keeps that behaviour.
    s += "if [ -x \"$chained\" ]; then\n";
    s += "  \"$chained\" \"$@\" <\"$input\" || exit $?\n";
    s += "fi\n";
    s += "exit 0\n";
  } else {
    s += command + " || exit $?\n";
    s += "if [ -x \"$chained\" ]; then\n";
    s += "  exec \"$chained\" \"$@\"\n";
    s += "fi\n";
    s += "exit 0\n";
  }
  return s;
}

bool IsManagedHook(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string head(static_cast<size_t>(kMarkerWindow), '\0');
  in.read(head.data(), kMarkerWindow);
  head.resize(static_cast<size_t>(in.gcount()));
  return head.find(std::string("\n") + kWrapperMarker) != std::string::npos;
}

}  // namespace pushgate
