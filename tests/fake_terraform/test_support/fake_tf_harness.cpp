#include "test_support/fake_tf_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace xd::testing {

namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path unique_temp(const std::string& stem) {
  static std::mt19937_64 rng{std::random_device{}()};
  for (;;) {
    fs::path p = fs::temp_directory_path() / (stem + std::to_string(rng()));
    if (fs::create_directory(p)) return p;
  }
}

// The child's environment: ours minus anything that would leak into the fake's behaviour.
std::vector<std::string> child_env(const Env& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("TF_", 0) == 0 || kv.rfind("FAKE_TF_", 0) == 0) continue;
    if (extra.count(kv.substr(0, kv.find('=')))) continue;
    env.push_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}
}  // namespace

FakeProcess::FakeProcess(const std::vector<std::string>& args, const fs::path& cwd, const Env& env,
                         const std::string& stdin_text) {
  fs::path io = unique_temp("fake-tf-io-");
  out_path_ = io / "stdout";
  err_path_ = io / "stderr";
  in_path_ = io / "stdin";
  std::ofstream(in_path_) << stdin_text;
  std::vector<std::string> argv_s{FAKE_TERRAFORM_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = child_env(env);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string cwd_s = cwd.string(), out_s = out_path_.string(), err_s = err_path_.string(),
                    in_s = in_path_.string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {  // only async-signal-safe calls from here on
    int in = ::open(in_s.c_str(), O_RDONLY);
    int out = ::open(out_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || ::chdir(cwd_s.c_str()) != 0) _exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::setpgid(0, 0);
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
}

FakeProcess::~FakeProcess() {
  if (!reaped_ && pid_ > 0) {
    // A test that failed midway: ask nicely twice, as Terraform should be stopped.
    ::kill(pid_, SIGINT);
    wait(std::chrono::seconds(2));
    if (running()) {
      ::kill(pid_, SIGINT);
      wait(std::chrono::seconds(6));
    }
    if (running()) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
    }
  }
  std::error_code ec;
  fs::remove_all(out_path_.parent_path(), ec);
}

void FakeProcess::signal(int sig) const {
  ::kill(pid_, sig);
}

bool FakeProcess::running() {
  if (reaped_) return false;
  pid_t r = ::waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) reaped_ = true;
  return !reaped_;
}

RunResult FakeProcess::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  RunResult r;
  r.out = slurp(out_path_);
  r.err = slurp(err_path_);
  if (reaped_) r.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  return r;
}

bool FakeProcess::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
  return wait_until([&] { return slurp(out_path_).find(text) != std::string::npos; }, timeout);
}

RunResult run_fake(const std::vector<std::string>& args, const fs::path& cwd, const Env& env,
                   const std::string& stdin_text) {
  FakeProcess p(args, cwd, env, stdin_text);
  return p.wait();
}

Workdir::Workdir(bool with_config) : path_(unique_temp("fake-tf-work-")) {
  if (with_config)
    write(
        "main.tf",
        "variable \"deploy\" {\n  type = string\n}\n\nvariable \"verified\" {\n  type    = "
        "string\n  default = null\n}\n\nvariable \"api_key\" {\n"
        "  type    = string\n  default = \"\"\n}\n\nvariable \"app\" {\n  default = \"web\"\n}\n");
}
Workdir::~Workdir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}
void Workdir::write(const std::string& name, const std::string& content) const {
  std::ofstream(path_ / name) << content;
}
std::string Workdir::read(const std::string& name) const {
  return slurp(path_ / name);
}
bool Workdir::exists(const std::string& name) const {
  return fs::exists(path_ / name);
}
void Workdir::fake_config(const nlohmann::json& config) const {
  write("fake-terraform.json", config.dump(2));
}
nlohmann::json Workdir::state() const {
  if (!exists("terraform.tfstate")) return nlohmann::json();
  return nlohmann::json::parse(read("terraform.tfstate"));
}
std::vector<nlohmann::json> Workdir::calls() const {
  std::vector<nlohmann::json> out;
  std::istringstream lines(read(".fake-terraform/calls.jsonl"));
  for (std::string line; std::getline(lines, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}
RunResult Workdir::tf(const std::vector<std::string>& args, const Env& env,
                      const std::string& stdin_text) const {
  return run_fake(args, path_, env, stdin_text);
}

std::vector<std::string> state_addresses(const nlohmann::json& state) {
  std::vector<std::string> out;
  if (state.is_null()) return out;
  for (const auto& r : state.at("resources")) {
    std::string a = r.contains("module") ? r["module"].get<std::string>() + "." : "";
    if (r["mode"] == "data") a += "data.";
    out.push_back(a + r["type"].get<std::string>() + "." + r["name"].get<std::string>());
  }
  return out;
}

nlohmann::json state_attributes(const nlohmann::json& state, const std::string& address) {
  for (const auto& r : state.at("resources")) {
    std::string a = r.contains("module") ? r["module"].get<std::string>() + "." : "";
    if (r["mode"] == "data") a += "data.";
    a += r["type"].get<std::string>() + "." + r["name"].get<std::string>();
    if (a == address) return r["instances"][0]["attributes"];
  }
  return nlohmann::json();
}

nlohmann::json health_config(int port, int apply_delay_ms) {
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  return {{"slots",
           {{"blue", {{"health_url", base + "/blue/health"}, {"public_ip", "127.0.0.11"}}},
            {"green", {{"health_url", base + "/green/health"}, {"public_ip", "127.0.0.12"}}}}},
          {"static_ip", {{"ip_address", "127.0.0.10"}, {"health_url", base + "/health"}}},
          {"health", {{"attempts", 2}, {"retry_delay_ms", 20}, {"timeout_ms", 1000}}},
          {"apply_delay_ms", apply_delay_ms}};
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace xd::testing
