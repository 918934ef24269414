#include "xdeploy/process/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>  // environ (_GNU_SOURCE)

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "xdeploy/process/interrupts.h"

namespace xd {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How often new output is picked up from the files (a regular file is always
// "readable" for poll(), so it cannot wake us). The child's exit and Ctrl-C do
// wake the poll at once.
constexpr milliseconds kPollTick{50};

std::string errno_text(int err) {
  return std::error_code(err, std::generic_category()).message();
}

// Owns one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read_end;
  Fd write_end;
};

std::optional<Pipe> make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

// One of the child's output files: unnamed, 0600, in `dir`. O_TMPFILE where
// the filesystem has it, else mkostemp + unlink (named for an instant).
Fd make_output_file(const std::string& dir) {
  Fd file(open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (file.valid() || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return file;
  std::string name = dir + "/.output-XXXXXX";
  file.reset(mkostemp(name.data(), O_CLOEXEC));
  if (file.valid()) unlink(name.c_str());
  return file;
}

// The child's stdout and stderr files: in spec.output_dir, else $TMPDIR or /tmp.
std::optional<std::pair<Fd, Fd>> make_output_files(const std::string& preferred) {
  const char* tmpdir = std::getenv("TMPDIR");
  for (const std::string& dir :
       {preferred, std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp")}) {
    if (dir.empty()) continue;
    Fd out = make_output_file(dir);
    Fd err = out.valid() ? make_output_file(dir) : Fd();
    if (err.valid()) return std::pair{std::move(out), std::move(err)};
  }
  return std::nullopt;
}

// What the child reports through the CLOEXEC error pipe when it cannot exec.
struct ChildFailure {
  enum Stage : int { kSetup, kChdir, kExec } stage;
  int error;
};

// Everything the child needs, prepared before fork(): after fork() only
// async-signal-safe calls are allowed (other threads may hold malloc locks).
struct ChildPlan {
  const char* executable;
  char* const* argv;
  char* const* envp;
  const char* cwd;  // nullptr: inherit
  int stdin_fd;
  int stdout_fd;
  int stderr_fd;
  int error_fd;
  const int* inherit_fds;  // kept open across exec, same numbers
  size_t inherit_count;
};

[[noreturn]] void child_fail(const ChildPlan& plan, ChildFailure::Stage stage) {
  const ChildFailure failure{stage, errno};
  [[maybe_unused]] const ssize_t ignored = write(plan.error_fd, &failure, sizeof failure);
  _exit(127);
}

[[noreturn]] void exec_child(const ChildPlan& plan) {
  // Own process group: a terminal Ctrl-C reaches only xdeploy, which forwards it.
  setpgid(0, 0);
  // Handlers are reset by exec, but ignored signals would stay ignored: the
  // child must be able to receive the SIGINT we forward.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  for (const int signo : {SIGINT, SIGTERM, SIGQUIT, SIGPIPE})
    sigaction(signo, &default_action, nullptr);

  // Move the three ends above 2 first, so none can be clobbered by another dup2.
  const int in = fcntl(plan.stdin_fd, F_DUPFD_CLOEXEC, 3);
  const int out = fcntl(plan.stdout_fd, F_DUPFD_CLOEXEC, 3);
  const int err = fcntl(plan.stderr_fd, F_DUPFD_CLOEXEC, 3);
  if (in < 0 || out < 0 || err < 0) child_fail(plan, ChildFailure::kSetup);
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
    child_fail(plan, ChildFailure::kSetup);
  if (plan.cwd != nullptr && chdir(plan.cwd) != 0) child_fail(plan, ChildFailure::kChdir);
#ifdef SYS_close_range
  // Descriptors that some library opened without O_CLOEXEC must not leak into
  // Terraform (a leaked lock fd would keep the deploy lock held). Best effort.
  constexpr unsigned kCloseRangeCloexec = 1U << 2;
  syscall(SYS_close_range, 3U, ~0U, kCloseRangeCloexec);
#endif
  // ...except what the caller hands down on purpose (the deploy lock).
  for (size_t i = 0; i < plan.inherit_count; ++i) {
    if (plan.inherit_fds[i] > 2 && fcntl(plan.inherit_fds[i], F_SETFD, 0) != 0)
      child_fail(plan, ChildFailure::kSetup);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(plan.executable, plan.argv, plan.envp);
  child_fail(plan, ChildFailure::kExec);
}

std::string path_variable(const ProcessSpec& spec) {
  for (const auto& [name, value] : spec.env) {
    if (name == "PATH") return value;
  }
  const char* inherited = std::getenv("PATH");
  return inherited != nullptr ? inherited : "/usr/local/bin:/usr/bin:/bin";
}

// execvp() semantics, done before fork(): the first executable regular file on
// PATH wins; a candidate that exists but is not executable means EACCES.
std::string resolve_executable(const ProcessSpec& spec, int* error) {
  const std::string& program = spec.argv.front();
  if (program.find('/') != std::string::npos) return program;  // relative to the child's cwd
  const std::string path = path_variable(spec);
  *error = ENOENT;
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = path.find(':', begin);
    if (end == std::string::npos) end = path.size();
    // An empty entry means the current directory, as for execvp().
    const std::string dir = end == begin ? std::string(".") : path.substr(begin, end - begin);
    std::string candidate = fmt::format("{}/{}", dir, program);
    struct stat info {};
    if (stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
      *error = EACCES;
    }
    begin = end + 1;
  }
  return {};
}

// The inherited environment with spec.env set on top.
std::vector<std::string> build_environment(const ProcessSpec& spec) {
  std::vector<std::string> result;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::string_view name = text.substr(0, text.find('='));
    bool overridden = false;
    for (const auto& item : spec.env) overridden = overridden || item.first == name;
    if (!overridden) result.emplace_back(text);
  }
  for (const auto& [name, value] : spec.env) result.push_back(fmt::format("{}={}", name, value));
  return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// One of the child's output files: keeps everything, hands out whole lines.
// It reads at its own offset (pread): the child's descriptor shares the file's
// offset with nobody but the child's own descendants.
class OutputStream {
 public:
  OutputStream(Fd file, std::string* text, const LineSink& sink)
      : file_(std::move(file)), text_(text), sink_(sink) {}

  // Reads what the child wrote since the last call; true when there was something.
  bool read_new() {
    bool got = false;
    for (;;) {
      const ssize_t n = pread(file_.get(), buffer_.data(), buffer_.size(), offset_);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the end of what is written so far (or an error: give up quietly)
      offset_ += n;
      got = true;
      feed(std::string_view(buffer_.data(), static_cast<size_t>(n)));
    }
    return got;
  }

  // The child is gone: an unterminated last line is a line too.
  void flush() {
    if (!pending_.empty()) deliver(pending_);
    pending_.clear();
  }

 private:
  void feed(std::string_view data) {
    text_->append(data);
    pending_.append(data);
    size_t start = 0;
    for (size_t nl = pending_.find('\n'); nl != std::string::npos;
         nl = pending_.find('\n', start)) {
      deliver(std::string_view(pending_).substr(start, nl - start));
      start = nl + 1;
    }
    pending_.erase(0, start);
  }
  void deliver(std::string_view line) {
    if (sink_) sink_(line);
  }

  Fd file_;
  off_t offset_ = 0;
  std::string* text_;
  const LineSink& sink_;
  std::string pending_;
  std::vector<char> buffer_ = std::vector<char>(size_t{256} * 1024);
};

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// A descriptor that becomes readable when the child exits (Linux 5.3+), so the
// poll wakes at once instead of on the next tick; invalid where unsupported.
Fd open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return Fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
#else
  (void)pid;
  return Fd();
#endif
}

// Watches one running child: output, interrupts to forward, exit.
class ChildWatch {
 public:
  ChildWatch(pid_t pid, int interrupts_seen, OutputStream& out, OutputStream& err,
             const std::optional<HookTimeout>& timeout, std::function<bool()> interrupt_when)
      : pid_(pid),
        pidfd_(open_pidfd(pid)),
        interrupts_seen_(interrupts_seen),
        out_(out),
        err_(err),
        interrupt_when_(std::move(interrupt_when)) {
    if (timeout) {
      term_at_ = Clock::now() + timeout->after;
      kill_grace_ = timeout->kill_grace;
    }
  }

  // Returns the exit code (128+N for signal N, -1 if unknown).
  int run(int* forwarded) {
    for (;;) {
      forward_interrupts(forwarded);
      enforce_deadline(forwarded);
      enforce_timeout();
      reap_if_exited();
      // Read after the reap: by then everything the child wrote is in the files. A
      // background grandchild may write on; nobody reads that, and its writes never fail.
      out_.read_new();
      err_.read_new();
      if (reaped_) break;
      wait_for_activity();
    }
    out_.flush();
    err_.flush();
    return status_known_ ? exit_code_of(status_) : -1;
  }
  bool timed_out() const { return timed_out_; }
  bool deadline_passed() const { return deadline_passed_; }

 private:
  // ProcessSpec::interrupt_when: one SIGINT, as a Ctrl-C would send. Never after the reap.
  void enforce_deadline(int* forwarded) {
    if (reaped_ || deadline_passed_ || !interrupt_when_ || !interrupt_when_()) return;
    (void)forwarded;  // not a forwarded Ctrl-C: the caller tells them apart
    deadline_passed_ = true;
    if (kill(-pid_, SIGINT) != 0) kill(pid_, SIGINT);
  }

  void forward_interrupts(int* forwarded) {
    if (reaped_) return;  // the pid and group may already belong to someone else
    const int count = interrupt_count();
    for (; interrupts_seen_ < count; ++interrupts_seen_) {
      // Exactly one SIGINT per interrupt: a second one makes Terraform abandon its state.
      if (kill(-pid_, SIGINT) != 0) kill(pid_, SIGINT);
      ++*forwarded;
    }
  }

  // Only with a HookTimeout: SIGTERM the group, then SIGKILL
  // it after the grace. Never after the reap: the group id may be reused.
  void enforce_timeout() {
    if (reaped_ || !term_at_) return;
    const auto now = Clock::now();
    if (!timed_out_ && now >= *term_at_) {
      timed_out_ = true;
      if (kill(-pid_, SIGTERM) != 0) kill(pid_, SIGTERM);
      kill_at_ = now + kill_grace_;
    } else if (timed_out_ && kill_at_ && now >= *kill_at_) {
      if (kill(-pid_, SIGKILL) != 0) kill(pid_, SIGKILL);
      kill_at_.reset();
    }
  }

  void reap_if_exited() {
    if (reaped_) return;
    const pid_t r = waitpid(pid_, &status_, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      // ECHILD: someone else reaped it (SIGCHLD ignored); the status is lost.
      status_known_ = r == pid_;
      reaped_ = true;
    }
  }

  // Until the child exits, an interrupt arrives, or the tick for new output.
  void wait_for_activity() {
    std::array<pollfd, 2> fds{};
    nfds_t n = 0;
    fds[n++] = pollfd{interrupt_fd(), POLLIN, 0};
    if (pidfd_.valid()) fds[n++] = pollfd{pidfd_.get(), POLLIN, 0};
    const int ready = poll(fds.data(), n, static_cast<int>(kPollTick.count()));
    if (ready > 0 && fds[0].revents != 0) drain_interrupt_fd();
    // Timeout, EINTR or the pidfd: the loop re-checks everything.
  }

  pid_t pid_;
  Fd pidfd_;
  int interrupts_seen_;
  OutputStream& out_;
  OutputStream& err_;
  bool reaped_ = false;
  bool status_known_ = false;
  std::function<bool()> interrupt_when_;
  bool deadline_passed_ = false;
  int status_ = 0;
  std::optional<Clock::time_point> term_at_;
  std::optional<Clock::time_point> kill_at_;
  milliseconds kill_grace_{0};
  bool timed_out_ = false;
};

std::string failure_text(const ChildFailure& failure, const ProcessSpec& spec) {
  std::string reason = errno_text(failure.error);
  switch (failure.stage) {
    case ChildFailure::kChdir:
      return fmt::format("cannot change directory to \"{}\": {}", spec.cwd, reason);
    case ChildFailure::kSetup:
      return fmt::format("cannot set up its standard streams: {}", reason);
    case ChildFailure::kExec:
      break;
  }
  return reason;
}

// Blocks until the child has exec'd (EOF) or reported why it could not.
std::optional<ChildFailure> read_child_failure(int error_fd) {
  ChildFailure failure{};
  ssize_t n;
  do {
    n = read(error_fd, &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof failure)) return failure;
  return std::nullopt;
}

}  // namespace

ProcessResult RealCommandRunner::run(const ProcessSpec& spec, const LineSink& on_stdout,
                                     const LineSink& on_stderr) {
  ProcessResult result;
  const auto started_at = Clock::now();
  const auto cannot_run = [&](const std::string& why) {
    const std::string name = spec.argv.empty() ? std::string() : spec.argv.front();
    result.error = fmt::format("cannot run \"{}\": {}", name, why);
    result.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started_at);
    return result;
  };
  if (spec.argv.empty() || spec.argv.front().empty()) return cannot_run("empty command");

  int resolve_error = 0;
  const std::string executable = resolve_executable(spec, &resolve_error);
  if (executable.empty()) return cannot_run(errno_text(resolve_error));
  std::vector<std::string> argv_storage = spec.argv;
  std::vector<std::string> env_storage = build_environment(spec);
  const std::vector<char*> argv = c_strings(argv_storage);
  const std::vector<char*> envp = c_strings(env_storage);

  Fd dev_null(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!dev_null.valid())
    return cannot_run(fmt::format("cannot open /dev/null: {}", errno_text(errno)));
  auto output = make_output_files(spec.output_dir);
  if (!output) {
    return cannot_run(fmt::format("cannot create files for its output in {}: {}",
                                  spec.output_dir.empty() ? "the temp dir" : spec.output_dir,
                                  errno_text(errno)));
  }
  auto error_pipe = make_pipe();
  if (!error_pipe) return cannot_run(fmt::format("cannot create a pipe: {}", errno_text(errno)));
  const ChildPlan plan{executable.c_str(),
                       argv.data(),
                       envp.data(),
                       spec.cwd.empty() ? nullptr : spec.cwd.c_str(),
                       dev_null.get(),
                       output->first.get(),
                       output->second.get(),
                       error_pipe->write_end.get(),
                       spec.inherit_fds.data(),
                       spec.inherit_fds.size()};

  // Interrupts arriving from here on belong to this child. Blocked across
  // fork() so none can hit the child before it resets its handlers.
  sigset_t interrupts, previous_mask;
  sigemptyset(&interrupts);
  sigaddset(&interrupts, SIGINT);
  sigaddset(&interrupts, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &interrupts, &previous_mask);
  const int interrupts_before = spec.interrupts_acknowledged.value_or(interrupt_count());
  const pid_t pid = fork();
  if (pid == 0) exec_child(plan);
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  if (pid < 0) return cannot_run(fmt::format("fork failed: {}", errno_text(fork_errno)));
  setpgid(pid, pid);  // also from the parent, so the group exists before we signal it

  error_pipe->write_end.reset();
  if (const auto failure = read_child_failure(error_pipe->read_end.get())) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return cannot_run(failure_text(*failure, spec));
  }

  result.started = true;
  if (spec.on_started) spec.on_started(static_cast<int>(pid));
  // Our descriptors are the child's too (it writes at its own offset, we pread at ours).
  OutputStream out(std::move(output->first), &result.stdout_text, on_stdout);
  OutputStream err(std::move(output->second), &result.stderr_text, on_stderr);
  ChildWatch watch(pid, interrupts_before, out, err, timeout_, spec.interrupt_when);
  result.exit_code = watch.run(&result.interrupts_forwarded);
  result.timed_out = watch.timed_out();
  result.deadline_passed = watch.deadline_passed();
  result.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started_at);
  return result;
}

std::string display_command(const std::vector<std::string>& argv) {
  std::string result;
  for (const auto& arg : argv) {
    if (!result.empty()) result += ' ';
    const bool safe = !arg.empty() && arg.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_@%+=:,./-") == std::string::npos;
    if (safe) {
      result += arg;
      continue;
    }
    result += '\'';
    for (const char c : arg) {
      if (c == '\'') {
        result += "'\\''";
      } else {
        result += c;
      }
    }
    result += '\'';
  }
  return result;
}

}  // namespace xd
