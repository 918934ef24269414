#pragma once
// Runs the BUILT fake terraform as a real child process (the one test spawner,
// support/child_process.h) against temp working directories, capturing exit code, stdout
// and stderr; lets tests signal it mid-run.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace xd::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

using Env = std::map<std::string, std::string>;

// A started fake (support/child_process.h underneath); the destructor stops a live one
// with SIGINT, twice, before anything harder.
class FakeProcess {
 public:
  FakeProcess(const std::vector<std::string>& args, const std::filesystem::path& cwd,
              const Env& env = {}, const std::string& stdin_text = "");
  void signal(int sig) const { child_.signal(sig); }
  pid_t pid() const { return child_.pid(); }
  // Waits up to `timeout`; exit_code is -1 if it did not end in time.
  RunResult wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  bool running() { return child_.running(); }
  // Polls the captured stdout until it contains `text`.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);

 private:
  ChildProcess child_;
};

RunResult run_fake(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                   const Env& env = {}, const std::string& stdin_text = "");

// A temporary working directory with a minimal root module; removed at destruction.
class Workdir {
 public:
  explicit Workdir(bool with_config = true);
  ~Workdir();
  Workdir(const Workdir&) = delete;
  Workdir& operator=(const Workdir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  void write(const std::string& name, const std::string& content) const;
  std::string read(const std::string& name) const;
  bool exists(const std::string& name) const;
  // Writes fake-terraform.json.
  void fake_config(const nlohmann::json& config) const;
  nlohmann::json state() const;
  std::vector<nlohmann::json> calls() const;
  // init + the given args; REQUIREs nothing, returns the result.
  RunResult tf(const std::vector<std::string>& args, const Env& env = {},
               const std::string& stdin_text = "") const;

 private:
  std::filesystem::path path_;
};

// Resource addresses present in a state document.
std::vector<std::string> state_addresses(const nlohmann::json& state);
nlohmann::json state_attributes(const nlohmann::json& state, const std::string& address);
// The default health URLs of the fake point at 127.0.0.1:18080-18082; tests route them to a
// local server instead through this config.
nlohmann::json health_config(int port, int apply_delay_ms = 0);

// Whether `text` (a run's stdout or stderr) contains `needle`.
bool has(const std::string& text, const std::string& needle);

}  // namespace xd::testing
