#include "real_terraform/real_terraform.h"

#include <httplib.h>

#include <signal.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace xd::testing {
namespace fs = std::filesystem;

namespace {

const std::string kHarness = std::string(XD_SOURCE_DIR) + "/tests/real_terraform/tf_harness.py";
const std::string kEmulator = std::string(XD_SOURCE_DIR) + "/tests/aws_emulator/aws_emulator.py";

// Runs tf_harness.py; its exit 77 (no terraform / no mirror) becomes our skip.
nlohmann::json run_harness(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {XD_PYTHON3, kHarness};
  argv.insert(argv.end(), args.begin(), args.end());
  const ChildResult r = run_child({argv, {}, {}}, std::chrono::minutes(2));
  if (r.exit_code == kRealTerraformSkipCode) {
    std::fputs(r.out.c_str(), stdout);  // "SKIPPED: <reason>"
    std::fflush(stdout);
    std::exit(kRealTerraformSkipCode);
  }
  if (r.exit_code != 0) {
    throw std::runtime_error("tf_harness.py failed (" + std::to_string(r.exit_code) +
                             "): " + r.err);
  }
  return nlohmann::json::parse(r.out);
}

httplib::Client control_client(const std::string& endpoint) {
  httplib::Client client(endpoint);
  client.set_read_timeout(30, 0);
  return client;
}

}  // namespace

RealTerraform require_real_terraform() {
  const nlohmann::json found = run_harness({"check"});
  return {found.at("terraform"), found.at("version"), found.at("mirror")};
}

std::map<std::string, std::string> configure_real_terraform(const fs::path& work_dir,
                                                            const fs::path& config_dir,
                                                            const std::string& endpoint) {
  const nlohmann::json out = run_harness({"configure", "--work", work_dir.string(), "--config",
                                          config_dir.string(), "--endpoint", endpoint});
  return out.at("env").get<std::map<std::string, std::string>>();
}

AwsEmulator::AwsEmulator(const Options& options) {
  fs::create_directories(options.state_dir);
  const fs::path ready = options.state_dir / "ready.json";
  child_ = std::make_unique<ChildProcess>(
      ChildSpec{{XD_PYTHON3, kEmulator, "serve", "--state-dir", options.state_dir.string(),
                 "--instance-command", options.instance_command, "--operation-seconds",
                 std::to_string(options.operation_seconds), "--service-port",
                 std::to_string(options.service_port), "--ready-file", ready.string()},
                {},
                {}});
  // The ready file is written atomically once the API port listens.
  if (!eventually([&] { return fs::exists(ready) || child_->wait(std::chrono::milliseconds(0)); },
                  std::chrono::seconds(30)) ||
      !fs::exists(ready)) {
    throw std::runtime_error("the AWS emulator did not start: " + child_->err_so_far());
  }
  const nlohmann::json info = nlohmann::json::parse(read_file(ready));
  endpoint_ = info.at("endpoint");
  service_port_ = info.at("servicePort");
  call_log_ = info.at("callLog").get<std::string>();
  state_file_ = info.at("stateFile").get<std::string>();
}

AwsEmulator::~AwsEmulator() {
  child_->signal(SIGTERM);
  if (child_->wait(std::chrono::seconds(60)) && child_->result().exit_code == 0) return;
  try {
    const auto state = nlohmann::json::parse(read_file(state_file_));
    if (!state.contains("instances")) return;
    for (const auto& instance : state.at("instances")) {
      if (instance.value("pid", 0) > 0) ::killpg(instance.at("pid").get<pid_t>(), SIGTERM);
    }
  } catch (const std::exception&) {
    // No readable state: nothing recorded to clean up.
  }
}

nlohmann::json AwsEmulator::state() const {
  auto client = control_client(endpoint_);
  auto res = client.Get("/__emulator/state");
  if (!res || res->status != 200) throw std::runtime_error("emulator state: no answer");
  return nlohmann::json::parse(res->body);
}

void AwsEmulator::arm(const nlohmann::json& fault) const {
  auto client = control_client(endpoint_);
  auto res = client.Post("/__emulator/faults", fault.dump(), "application/json");
  if (!res || res->status != 200) {
    throw std::runtime_error("emulator refused the fault " + fault.dump() + ": " +
                             (res ? res->body : "no answer"));
  }
}

void AwsEmulator::clear_faults() const {
  auto client = control_client(endpoint_);
  auto res = client.Delete("/__emulator/faults");
  if (!res || res->status != 200) throw std::runtime_error("emulator: clearing faults failed");
}

std::vector<nlohmann::json> AwsEmulator::calls() const {
  std::vector<nlohmann::json> out;
  std::istringstream lines(read_file(call_log_));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

int AwsEmulator::stop() {
  child_->signal(SIGTERM);
  if (!child_->wait(std::chrono::seconds(60)))
    throw std::runtime_error("the AWS emulator ignored SIGTERM");
  return child_->result().exit_code;
}

}  // namespace xd::testing
