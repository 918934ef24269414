#pragma once
// Test-side process control: run a real binary (xdeploy, the fake terraform)
// to completion, or start it in the background to signal it. Output goes to
// files so a chatty child can never block on a full pipe.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

namespace xd::testing {

struct ChildResult {
  int exit_code = -1;  // or 128+signal
  std::string out;
  std::string err;
};

struct ChildSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // added to (or replacing in) the test's environment
  std::filesystem::path cwd;               // empty: inherit
  // Exactly `env`, none of the test's environment (a service under test reads
  // its settings from there). The suite's markers (XD_TEST_SUITE,
  // XD_TEST_NAME) are kept all the same, so the end-of-suite check
  // (tests/no_process_left_behind) still finds the child if it is left running.
  bool clean_env = false;
  // Empty: stdout and stderr go to files of the child's own, removed with it.
  // Else both are appended to `log`, which the test owns (and reads).
  std::filesystem::path log{};
  // What the child reads on stdin (empty: /dev/null).
  std::string stdin_text{};
  // The test's variables whose names start so are not passed on (the fake terraform
  // must not see a TF_LOG or FAKE_TF_* of the shell that runs the tests); `env` still is.
  std::vector<std::string> drop_env_prefixes{};
  // In a process group of its own, as a shell runs a job: a signal to the group reaches
  // it and its children, never the test.
  bool own_process_group = false;
  // How the destructor asks a child still running to stop (twice, 2 s apart, then up to
  // 8 s more before SIGKILL): Terraform and the fake stop on SIGINT.
  int stop_signal = SIGTERM;
};

class ChildProcess {
 public:
  explicit ChildProcess(const ChildSpec& spec);
  ~ChildProcess();  // stop_signal, then waits, so no test leaks a process
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits up to `timeout`; returns false if still running.
  bool wait(std::chrono::milliseconds timeout);
  bool running() { return !wait(std::chrono::milliseconds(0)); }
  ChildResult result() const;  // after wait() returned true
  std::string out_so_far() const;
  std::string err_so_far() const;

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;  // empty: both streams go to out_path_, the spec's log
  std::filesystem::path in_path_;   // the spec's stdin_text, when there is one
  int stop_signal_ = SIGTERM;
  bool owns_output_ = true;  // false: out_path_ is the spec's log, kept
};

ChildResult run_child(const ChildSpec& spec,
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

std::string read_file(const std::filesystem::path& path);
// Polls `predicate` every 20 ms until true or timeout.
bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout);

}  // namespace xd::testing
