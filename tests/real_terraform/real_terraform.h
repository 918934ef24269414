#pragma once
// C++ side of the real-Terraform harness (tf_harness.py does the work, so the
// Python and C++ tests find Terraform and the mirror the same way):
//   auto tf = xd::testing::require_real_terraform();        // or SKIPPED + exit 77
//   xd::testing::AwsEmulator emu({.state_dir = tmp / "emu", .instance_command = "..."});
//   auto env = xd::testing::configure_real_terraform(tmp.path(), config_dir, emu.endpoint());
//   run_child({{tf.terraform, "init"}, env, config_dir});
//   emu.arm({{"action", "AttachStaticIp"}, {"error", "InvalidInputException"}});
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/child_process.h"

namespace xd::testing {

// CTest SKIP_RETURN_CODE of every real-Terraform test.
inline constexpr int kRealTerraformSkipCode = 77;

struct RealTerraform {
  std::string terraform;  // the binary
  std::string version;    // e.g. "1.11.4"
  std::string mirror;     // the folder holding registry.terraform.io
};

// Finds them, or prints "SKIPPED: <reason>" and exits kRealTerraformSkipCode.
RealTerraform require_real_terraform();

// Writes <work_dir>/terraformrc (provider installation from the mirror only) and
// <config_dir>/emulator_override.tf (test credentials, skip_* checks, path-style
// S3, every endpoint at `endpoint`). Returns the environment to run terraform
// with (TF_CLI_CONFIG_FILE, TF_IN_AUTOMATION, ...), to merge into ChildSpec::env.
std::map<std::string, std::string> configure_real_terraform(const std::filesystem::path& work_dir,
                                                            const std::filesystem::path& config_dir,
                                                            const std::string& endpoint);

// The emulator as a background child of the test; its destructor stops it, and
// with it every instance process and static-IP router.
class AwsEmulator {
 public:
  struct Options {
    std::filesystem::path state_dir{};
    std::string
        instance_command{};  // placeholders {name} {port} {color} {host} {user_data_file} {tag:KEY}
    double operation_seconds = 0.5;
    int service_port = 0;  // 0: the emulator picks a free one
  };
  explicit AwsEmulator(const Options& options);
  // Stops it; if it had died without its clean shutdown, also SIGTERMs the
  // instance process groups its state file lists, so none outlives the test.
  ~AwsEmulator();
  AwsEmulator(const AwsEmulator&) = delete;
  AwsEmulator& operator=(const AwsEmulator&) = delete;

  const std::string& endpoint() const { return endpoint_; }  // http://127.0.0.1:PORT
  int service_port() const { return service_port_; }         // what public addresses forward
  nlohmann::json state() const;                              // GET /__emulator/state
  void arm(const nlohmann::json& fault) const;               // POST /__emulator/faults
  void clear_faults() const;                                 // DELETE /__emulator/faults
  std::vector<nlohmann::json> calls() const;                 // the JSON-lines call log
  // Stops it now (SIGTERM, wait); returns its exit code.
  int stop();

 private:
  std::unique_ptr<ChildProcess> child_;
  std::string endpoint_;
  int service_port_ = 0;
  std::filesystem::path call_log_;
  std::filesystem::path state_file_;
};

}  // namespace xd::testing
