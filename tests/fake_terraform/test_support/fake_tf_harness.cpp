#include "test_support/fake_tf_harness.h"

#include <fstream>
#include <random>
#include <sstream>

namespace xd::testing {

namespace fs = std::filesystem;

namespace {
fs::path unique_temp(const std::string& stem) {
  static std::mt19937_64 rng{std::random_device{}()};
  for (;;) {
    fs::path p = fs::temp_directory_path() / (stem + std::to_string(rng()));
    if (fs::create_directory(p)) return p;
  }
}

// The fake as a shell would run it: its own process group, stopped with SIGINT as
// Terraform is, and none of our TF_* / FAKE_TF_* (they would change how it behaves).
ChildSpec fake_spec(const std::vector<std::string>& args, const fs::path& cwd, const Env& env,
                    const std::string& stdin_text) {
  ChildSpec spec;
  spec.argv = {FAKE_TERRAFORM_BIN};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = env;
  spec.cwd = cwd;
  spec.stdin_text = stdin_text;
  spec.drop_env_prefixes = {"TF_", "FAKE_TF_"};
  spec.own_process_group = true;
  spec.stop_signal = SIGINT;
  return spec;
}
}  // namespace

FakeProcess::FakeProcess(const std::vector<std::string>& args, const fs::path& cwd, const Env& env,
                         const std::string& stdin_text)
    : child_(fake_spec(args, cwd, env, stdin_text)) {}

RunResult FakeProcess::wait(std::chrono::milliseconds timeout) {
  child_.wait(timeout);
  const ChildResult r = child_.result();  // exit_code -1 while it runs
  return {r.exit_code, r.out, r.err};
}

bool FakeProcess::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
  return eventually([&] { return child_.out_so_far().find(text) != std::string::npos; }, timeout);
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
  return read_file(path_ / name);  // support/child_process.h
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

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace xd::testing
