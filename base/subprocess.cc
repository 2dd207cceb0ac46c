#include "base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace pushgate {

namespace {

// A pipe whose ends close themselves.
struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() { CloseBoth(); }
  bool Open() { return pipe2(fd, O_CLOEXEC) == 0; }
  void Close(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
  void CloseBoth() { Close(0), Close(1); }
};

std::vector<std::string> BuildEnvironment(const ProcessOptions& options) {
  std::map<std::string, std::string> env;
  if (!options.clear_env) {
    for (char** e = environ; e && *e; ++e) {
      const char* eq = std::strchr(*e, '=');
      if (eq) env[std::string(*e, static_cast<size_t>(eq - *e))] = eq + 1;
    }
  }
  for (const auto& name : options.unset_env) env.erase(name);
  for (const auto& [k, v] : options.set_env) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

[[noreturn]] void ExecChild(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                            const std::string& cwd, Pipe& in, Pipe& out, Pipe& err) {
  setpgid(0, 0);
  dup2(in.fd[0], 0);
  dup2(out.fd[1], 1);
  dup2(err.fd[1], 2);
  signal(SIGPIPE, SIG_DFL);
  if (!cwd.empty() && chdir(cwd.c_str()) != 0) {
    dprintf(2, "cannot enter %s: %s\n", cwd.c_str(), strerror(errno));
    _exit(127);
  }
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  execvpe(args[0], args.data(), envp.data());
  dprintf(2, "cannot run %s: %s\n", args[0], strerror(errno));
  _exit(127);
}

// Pumps stdin out and stdout/stderr in until both outputs close or the deadline passes.
bool Pump(Pipe& in, Pipe& out, Pipe& err, const ProcessOptions& options, ProcessResult* result) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = options.timeout ? Clock::now() + *options.timeout : Clock::time_point::max();
  size_t written = 0;
  const std::string& input = options.stdin_data;
  if (input.empty()) in.Close(1);
  char buf[65536];
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[3];
    int n = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1;
    if (in.fd[1] >= 0) idx_in = n, fds[n++] = {in.fd[1], POLLOUT, 0};
    if (out.fd[0] >= 0) idx_out = n, fds[n++] = {out.fd[0], POLLIN, 0};
    if (err.fd[0] >= 0) idx_err = n, fds[n++] = {err.fd[0], POLLIN, 0};
    int wait_ms = -1;
    if (options.timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      wait_ms = static_cast<int>(std::min<long long>(left, 1 << 30));
    }
    int rc = poll(fds, n, wait_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) return false;
    if (idx_in >= 0 && fds[idx_in].revents) {
      ssize_t w = write(in.fd[1], input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 || written == input.size()) in.Close(1);
    }
    auto drain = [&](int idx, Pipe& p, std::string& sink) {
      if (idx < 0 || !fds[idx].revents) return;
      ssize_t r = read(p.fd[0], buf, sizeof buf);
      if (r <= 0) {
        p.Close(0);
        return;
      }
      size_t room = options.max_output_bytes > sink.size() ? options.max_output_bytes - sink.size() : 0;
      sink.append(buf, std::min(room, static_cast<size_t>(r)));
    };
    drain(idx_out, out, result->out);
    drain(idx_err, err, result->err);
  }
  return true;
}

}  // namespace

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) return Status::InvalidArgument("no program to run");
  Pipe in, out, err;
  if (!in.Open() || !out.Open() || !err.Open()) return Status::IOError(std::string("pipe: ") + strerror(errno));
  const auto env = BuildEnvironment(options);
  // Ignore SIGPIPE in this process so a child that exits early cannot kill us through stdin.
  signal(SIGPIPE, SIG_IGN);
  pid_t pid = fork();
  if (pid < 0) return Status::IOError(std::string("fork: ") + strerror(errno));
  if (pid == 0) ExecChild(argv, env, options.cwd, in, out, err);
  setpgid(pid, pid);
  in.Close(0), out.Close(1), err.Close(1);

  ProcessResult result;
  if (!Pump(in, out, err, options, &result)) {
    result.timed_out = true;
    kill(-pid, SIGKILL);
  }
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (result.timed_out) kill(-pid, SIGKILL);  // grandchildren that outlived the leader
  if (WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) result.signal = WTERMSIG(wstatus);
  return result;
}

}  // namespace pushgate
