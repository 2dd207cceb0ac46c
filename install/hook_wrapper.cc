#include "install/hook_wrapper.h"

#include <sys/stat.h>

#include <fstream>

#include "install/hook_locations.h"

namespace pushgate {
namespace {

// Bumped when the wrapper's behaviour changes; any version is recognised as pushgate's.
// 2: the update wrapper exports $PUSHGATE_WRAPPER; post-receive wrappers exist.
constexpr const char* kWrapperVersion = "2";

// How far into a file the marker is looked for; it is always on the second line.
constexpr std::streamsize kMarkerWindow = 1024;

std::string Subcommand(HookKind kind) {
  switch (kind) {
    case HookKind::kPreReceive: return "pre-receive";
    case HookKind::kUpdate: return "update \"$@\"";
    case HookKind::kPostReceive: return "post-receive";
    case HookKind::kPreCommit: return "pre-commit";
  }
  return "";
}

// Lines that copy the hook's standard input to $input, a temporary file removed on exit, so that
// pushgate and the chained hook read the same bytes. A file keeps the input byte-exact (command
// substitution would drop trailing newlines) and works for any size. on_mktemp_failure runs when
// no file can be made.
std::string BufferInput(HookKind kind, const std::string& on_mktemp_failure) {
  std::string s = "input=$(mktemp \"${TMPDIR:-/tmp}/pushgate-" + std::string(HookName(kind)) + ".XXXXXX\") || " +
                  on_mktemp_failure + "\n";
  s += "trap 'rm -f \"$input\"' EXIT\n";
  s += "trap 'exit 1' HUP INT TERM\n";
  s += "cat >\"$input\" || exit 1\n";
  return s;
}

}  // namespace

const char* HookName(HookKind kind) {
  switch (kind) {
    case HookKind::kPreReceive: return "pre-receive";
    case HookKind::kUpdate: return "update";
    case HookKind::kPostReceive: return "post-receive";
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
  if (spec.kind == HookKind::kUpdate) {
    s += "# Tells pushgate where this wrapper is, so that it finds pushgate's pre-receive beside it.\n";
    s += std::string("export ") + kWrapperPathVariable + "=\"$0\"\n";
  }
  if (spec.chained.empty()) {
    s += "exec " + command + "\n";
    return s;
  }

  const std::string hook = HookName(spec.kind);
  if (spec.kind == HookKind::kPostReceive) {
    s += "# The " + hook + " hook that was here before runs after pushgate, with the same input, whatever\n";
    s += "# pushgate's exit status; its status is the wrapper's. `pushgate uninstall` puts it back in place.\n";
  } else {
    s += "# The " + hook + " hook that was here before runs once pushgate accepts, with the same input;\n";
    s += "# both must accept. `pushgate uninstall` puts it back in place.\n";
  }
  s += "case $0 in */*) hook_dir=${0%/*} ;; *) hook_dir=. ;; esac\n";
  s += "chained=\"$hook_dir/\"" + ShellQuote(spec.chained) + "\n";
  // Git skips hooks that are not executable; the chained hook keeps that behaviour.
  if (spec.kind == HookKind::kPreReceive) {
    s += BufferInput(spec.kind, "exit 1");
    s += command + " <\"$input\" || exit $?\n";
    s += "if [ -x \"$chained\" ]; then\n";
    s += "  \"$chained\" \"$@\" <\"$input\" || exit $?\n";
    s += "fi\n";
    s += "exit 0\n";
  } else if (spec.kind == HookKind::kPostReceive) {
    // The push has landed: without a buffer, the hook that was here still runs on the input.
    s += BufferInput(spec.kind, "{\n  echo \"pushgate: error: cannot create a temporary file; pushgate did not record "
                                "this push\" >&2\n  if [ -x \"$chained\" ]; then exec \"$chained\" \"$@\"; fi\n  exit 1\n}");
    s += command + " <\"$input\"\n";
    s += "status=$?\n";
    s += "if [ -x \"$chained\" ]; then\n";
    s += "  \"$chained\" \"$@\" <\"$input\"\n";
    s += "  exit $?\n";
    s += "fi\n";
    s += "exit $status\n";
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
