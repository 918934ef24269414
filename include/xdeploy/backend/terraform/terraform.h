#pragma once
// The Terraform backend as the layers above it see it: the settings the
// command line fills, the factory, and the plan files the app clears under the
// deploy lock. Everything else (the class, its argv builders, the plan and
// state readers) is private to src/backend/terraform.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "xdeploy/backend/backend.h"
#include "xdeploy/process/subprocess.h"

namespace xd {

struct TerraformSettings {
  std::string binary = "terraform";  // --terraform, XDEPLOY_TERRAFORM, or PATH (tofu works too)
  std::string chdir = "terraform";   // passed as -chdir=DIR (must use '=')
  std::chrono::milliseconds lock_timeout{30000};  // Terraform's own state lock
  bool color = false;                             // false: -no-color (output is not a terminal)
  std::vector<std::string> var_files;             // --var-file, passed to plan
  std::vector<std::string> extra_args;            // after `--`, passed to plan
  // How long prod may be dark in a move that cannot attach, from the detach until the IP is on
  // a slot again. The attach gets one SIGINT (never SIGKILL) early enough for the app's way
  // back to the previous slot to fit (move_budget.h). The module's provider retry budget
  // fits inside it.
  std::chrono::milliseconds move_deadline{45000};
  // How long to let Lightsail settle before the one retry of a create whose read right
  // after answered NotFound (eventual consistency).
  std::chrono::milliseconds consistency_wait{5000};
};

// Receives every line Terraform prints: the step id ("plan-green"), the line,
// and whether it came on stderr.
using TerraformSink =
    std::function<void(std::string_view step, std::string_view line, bool is_stderr)>;

std::unique_ptr<Backend> make_terraform_backend(TerraformSettings settings, CommandRunner& runner,
                                                TerraformSink sink);

// Removes every plan file in `plans_dir`: only call it while holding the
// deploy lock, so no live run owns one. Returns how many were removed.
int remove_stale_plans(const std::filesystem::path& plans_dir);

}  // namespace xd
