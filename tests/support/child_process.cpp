#include "support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>  // environ (_GNU_SOURCE)

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace xd::testing {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return predicate();
}

namespace {

// What the end-of-suite check (tests/no_process_left_behind) knows the
// suite's processes by: kept even in a clean environment.
constexpr const char* kSuiteMarkers[] = {"XD_TEST_SUITE", "XD_TEST_NAME"};

std::vector<std::string> child_env(const ChildSpec& spec) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (spec.clean_env) {
    std::erase_if(env, [](const auto& entry) {
      return std::none_of(std::begin(kSuiteMarkers), std::end(kSuiteMarkers),
                          [&](const char* marker) { return entry.first == marker; });
    });
  }
  std::erase_if(env, [&](const auto& entry) {
    return std::any_of(spec.drop_env_prefixes.begin(), spec.drop_env_prefixes.end(),
                       [&](const std::string& prefix) { return entry.first.starts_with(prefix); });
  });
  for (const auto& [k, v] : spec.env) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.emplace_back(k).append("=").append(v);
  return out;
}

fs::path temp_output(const char* what) {
  static std::atomic<int> counter{0};
  return fs::temp_directory_path() /
         ("xdtest-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "." + what);
}

}  // namespace

ChildProcess::ChildProcess(const ChildSpec& spec) : stop_signal_(spec.stop_signal) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!spec.stdin_text.empty()) {
    in_path_ = temp_output("in");
    std::ofstream(in_path_, std::ios::binary) << spec.stdin_text;
  }
  posix_spawn_file_actions_addopen(&actions, 0, in_path_.empty() ? "/dev/null" : in_path_.c_str(),
                                   O_RDONLY, 0);
  if (spec.log.empty()) {
    out_path_ = temp_output("out");
    err_path_ = temp_output("err");
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
  } else {
    out_path_ = spec.log;
    owns_output_ = false;
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  }
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  // The child must not inherit a signal mask a test thread set (a blocked
  // SIGTERM would make it deaf to the destructor's stop).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  short flags = POSIX_SPAWN_SETSIGMASK;
  if (spec.own_process_group) {
    posix_spawnattr_setpgroup(&attr, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attr, flags);
  std::vector<char*> argv;
  argv.reserve(spec.argv.size() + 1);
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  auto env_strings = child_env(spec);
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int rc = posix_spawnp(&pid_, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    throw std::runtime_error(std::string("cannot spawn ") + spec.argv[0] + ": " +
                             std::strerror(rc));
}

ChildProcess::~ChildProcess() {
  if (!reaped_ && pid_ > 0) {
    // Asked twice, as Terraform wants to be stopped (the second SIGINT is its "now").
    ::kill(pid_, stop_signal_);
    if (!wait(std::chrono::seconds(2))) ::kill(pid_, stop_signal_);
    if (!wait(std::chrono::seconds(8))) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
    }
  }
  std::error_code ec;
  if (!in_path_.empty()) fs::remove(in_path_, ec);
  if (owns_output_) {
    fs::remove(out_path_, ec);
    fs::remove(err_path_, ec);
  }
}

void ChildProcess::signal(int sig) const {
  if (!reaped_) ::kill(pid_, sig);
}

bool ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (reaped_) return true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

ChildResult ChildProcess::result() const {
  ChildResult r;
  if (reaped_) r.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  r.out = read_file(out_path_);
  r.err = err_so_far();
  return r;
}

std::string ChildProcess::out_so_far() const {
  return read_file(out_path_);
}
std::string ChildProcess::err_so_far() const {
  return err_path_.empty() ? std::string() : read_file(err_path_);
}

ChildResult run_child(const ChildSpec& spec, std::chrono::milliseconds timeout) {
  ChildProcess child(spec);
  if (!child.wait(timeout)) {
    child.signal(SIGKILL);
    child.wait(std::chrono::seconds(5));
    auto r = child.result();
    r.err += "\n[test harness: killed after timeout]";
    return r;
  }
  return child.result();
}

}  // namespace xd::testing
