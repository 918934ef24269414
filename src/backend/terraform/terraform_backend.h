#pragma once
// The Terraform backend: every mutating step is a saved plan that is checked
// by the change guard before it is applied (plan -out, show -json, guard,
// apply PLAN). Terraform's output streams live through `sink`, prefixed with
// the step id.
#include <filesystem>
#include <functional>
#include <string_view>

#include "backend/backend.h"
#include "backend/terraform/terraform_commands.h"
#include "process/subprocess.h"

namespace xd {

// Receives every line Terraform prints: the step id ("plan-green"), the line,
// and whether it came on stderr.
using TerraformSink =
    std::function<void(std::string_view step, std::string_view line, bool is_stderr)>;

class TerraformBackend : public Backend {
 public:
  TerraformBackend(TerraformSettings settings, CommandRunner& runner, TerraformSink sink);

  std::string name() const override { return "terraform"; }
  Result<ClusterState> read_state() override;
  Result<ClusterState> read_verified_state() override;
  StepOutcome run(const Step& step, const Deployment& from, bool dry_run) override;
  std::vector<std::string> describe(const Step& step, const Deployment& from) const override;

 private:
  struct Call {
    ProcessResult result;
    CommandRecord record;
  };
  // echo_stdout false: Terraform's stdout is kept for parsing but never shown
  // or logged (`show -json` and `output -json` carry secrets in clear).
  Call call(const std::string& label, const std::vector<std::string>& argv,
            bool echo_stdout = true);
  bool initialized() const;
  void prepare_plans_dir() const;
  bool verify_against_state(Result<ClusterState>& r);
  std::filesystem::path suspect_marker() const;
  bool outputs_suspect() const;
  void suspect_outputs(bool suspect);
  std::optional<StepOutcome> ensure_init();
  std::string plan_file_for(const Step& step) const;
  static std::optional<std::string> replace_address(const Step& step);
  StepOutcome guard_and_apply(const Step& step, const Deployment& from, bool dry_run,
                              const std::string& plan_file, StepOutcome outcome);
  StepOutcome apply(const Step& step, const std::string& plan_file, StepOutcome outcome);

  TerraformCommands commands_;
  CommandRunner& runner_;
  TerraformSink sink_;
  bool init_checked_ = false;
  // An apply failed, was interrupted or did nothing: outputs may be stale
  // until the next successful apply, so reads check them against the state.
  bool outputs_suspect_ = false;
};

// The last "Error: ..." block Terraform printed, folded to one line, for the
// one-line failure message. Escape codes are removed: it is recorded.
std::string terraform_error_summary(const std::string& stderr_text, const std::string& stdout_text);

}  // namespace xd
