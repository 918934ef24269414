#pragma once
// Runs the BUILT fake terraform as a real child process (fork + exec) against temp working
// directories, capturing exit code, stdout and stderr; lets tests signal it mid-run.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xd::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

using Env = std::map<std::string, std::string>;

// A started fake; the destructor never SIGKILLs a live child without first waiting.
class FakeProcess {
 public:
  FakeProcess(const std::vector<std::string>& args, const std::filesystem::path& cwd,
              const Env& env = {}, const std::string& stdin_text = "");
  FakeProcess(const FakeProcess&) = delete;
  FakeProcess& operator=(const FakeProcess&) = delete;
  ~FakeProcess();
  void signal(int sig) const;
  pid_t pid() const { return pid_; }
  // Waits up to `timeout`; exit_code is -1 if it did not end in time.
  RunResult wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  bool running();
  // Polls the captured stdout until it contains `text`.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::filesystem::path out_path_, err_path_, in_path_;
  bool reaped_ = false;
  int status_ = 0;
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

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// Whether `text` (a run's stdout or stderr) contains `needle`.
bool has(const std::string& text, const std::string& needle);

}  // namespace xd::testing
