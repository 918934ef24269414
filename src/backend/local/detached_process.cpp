#include "detached_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;  // NOLINT: POSIX

namespace xd {
namespace {

// An fd that closes itself; always >= 3 so the dup2 onto 0/1/2 in the child
// can never be a no-op that keeps FD_CLOEXEC.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {
    if (fd_ >= 0 && fd_ < 3) {
      const int high = fcntl(fd_, F_DUPFD_CLOEXEC, 3);
      ::close(fd_);
      fd_ = high;
    }
  }
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  auto overridden = [&](const char* entry) {
    const std::string_view e(entry);
    for (const auto& x : extra) {
      const auto eq = x.find('=');
      if (e.substr(0, e.find('=')) == std::string_view(x).substr(0, eq)) return true;
    }
    return false;
  };
  for (char** e = environ; e && *e; ++e)
    if (!overridden(*e)) env.emplace_back(*e);
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_array(std::vector<std::string>& words) {
  std::vector<char*> out;
  out.reserve(words.size() + 1);
  for (auto& w : words) out.push_back(w.data());
  out.push_back(nullptr);
  return out;
}

bool read_exact(int fd, void* buf, std::size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

// Runs in the grandchild between fork and exec: async-signal-safe calls only.
[[noreturn]] void become_program(const char* path, char* const* argv, char* const* envp,
                                 int null_fd, int log_fd, int report_fd, const char* cwd) {
  setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
  int err = 0;
  if (dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) err = errno;
  if (!err && cwd && chdir(cwd) != 0) err = errno;
  if (!err) {
    if (report_fd > 3) close_range(3, static_cast<unsigned>(report_fd) - 1, 0);
    close_range(static_cast<unsigned>(report_fd) + 1, ~0U, 0);
    execve(path, argv, envp);
    err = errno;
  }
  (void)!write(report_fd, &err, sizeof err);
  _exit(127);
}

}  // namespace

std::filesystem::path resolve_executable(const std::string& name) {
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate))
      return candidate;
  }
  return {};
}

SpawnResult spawn_detached(const DetachedSpec& spec) {
  if (spec.argv.empty()) return {std::nullopt, "empty command"};
  const auto exe = resolve_executable(spec.argv[0]);
  if (exe.empty()) return {std::nullopt, "cannot find executable \"" + spec.argv[0] + "\""};
  const auto log_start = size_or_zero(spec.log_file);  // quote only what this process wrote

  Fd log(::open(spec.log_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (log.get() < 0)
    return {std::nullopt, "cannot open " + spec.log_file.string() + ": " + std::strerror(errno)};
  Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return {std::nullopt, std::string("pipe: ") + std::strerror(errno)};
  Fd report_read(fds[0]);
  Fd report_write(fds[1]);

  std::vector<std::string> args = spec.argv;
  std::vector<std::string> env = merged_environment(spec.extra_env);
  const auto argv = c_array(args);
  const auto envp = c_array(env);
  const std::string exe_path = exe.string();
  const std::string cwd = spec.cwd.string();

  const pid_t middle = fork();
  if (middle < 0) return {std::nullopt, std::string("fork: ") + std::strerror(errno)};
  if (middle == 0) {
    // The middle process: new session, fork the program, report its pid, exit
    // at once so the program is adopted by init and never becomes our zombie.
    setsid();
    const pid_t program = fork();
    if (program == 0)
      become_program(exe_path.c_str(), argv.data(), envp.data(), null_in.get(), log.get(),
                     report_write.get(), cwd.empty() ? nullptr : cwd.c_str());
    (void)!write(report_write.get(), &program, sizeof program);
    _exit(program < 0 ? 1 : 0);
  }
  report_write.reset();
  int status = 0;
  while (waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  pid_t pid = -1;
  if (!read_exact(report_read.get(), &pid, sizeof pid) || pid <= 0)
    return {std::nullopt, "could not fork the detached process"};
  int exec_errno = 0;
  if (read_exact(report_read.get(), &exec_errno, sizeof exec_errno))
    return {std::nullopt, "cannot run " + exe_path + ": " + std::strerror(exec_errno)};
  auto id = identify_process(pid);
  if (!id) {
    return {std::nullopt, exe_path + " exited at once; last lines of " + spec.log_file.string() +
                              ": " + tail_of_file(spec.log_file, 5, log_start)};
  }
  return {id, ""};
}

std::string quote_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& word : argv) {
    if (!out.empty()) out += ' ';
    if (!word.empty() && word.find_first_of(" \t'\"\\$") == std::string::npos) {
      out += word;
      continue;
    }
    out += '\'';
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

std::uintmax_t size_or_zero(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  return ec ? 0 : size;
}

std::string tail_of_file(const std::filesystem::path& file, int max_lines, std::uintmax_t from) {
  std::ifstream in(file);
  in.seekg(static_cast<std::streamoff>(from));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (static_cast<int>(lines.size()) > max_lines) lines.erase(lines.begin());
  }
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : " | ") + l;
  return out.empty() ? "(empty)" : out;
}

}  // namespace xd
