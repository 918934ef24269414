#pragma once
// The Terraform backend: every mutating step is a saved plan that is checked
// by the change guard before it is applied (plan -out, show -json, guard,
// apply PLAN). Terraform's output streams live through `sink`, prefixed with
// the step id.
#include <filesystem>
#include <functional>
#include <map>
#include <string_view>
#include <tuple>
#include <vector>

#include "plan_file_guard.h"
#include "terraform_commands.h"
#include "xdeploy/backend/backend.h"
#include "xdeploy/backend/terraform/terraform.h"
#include "xdeploy/process/subprocess.h"

namespace xd {

class TerraformBackend : public Backend {
 public:
  TerraformBackend(TerraformSettings settings, CommandRunner& runner, TerraformSink sink);

  std::string name() const override { return "terraform"; }
  Result<ClusterState> read_state() override;
  Result<ClusterState> read_verified_state() override;
  Result<ClusterState> refresh_state(const Deployment& deployment,
                                     const std::vector<Color>& colors) override;
  bool addresses_may_be_stale() const override { return true; }
  void share_lock(LockShare share) override;
  std::optional<StepOutcome> initialize() override { return ensure_init(); }
  // The IP move: its plan no longer reads health, so it can be made while the gate polls.
  bool can_prepare(const Step& step) const override { return step.kind == StepKind::SwitchTraffic; }
  StepOutcome prepare(const Step& step, const Deployment& from) override;
  StepOutcome commit(const Step& step, StepOutcome prepared) override;
  void discard(const Step& step) override;
  StepOutcome run(const Step& step, const Deployment& from, bool dry_run) override;
  std::vector<std::string> describe(const Step& step, const Deployment& from) const override;

 private:
  struct Call {
    ProcessResult result;
    CommandRecord record;
  };
  // How Terraform's stdout is treated. Hidden: kept for parsing but never shown or logged
  // (`show -json`, `state pull` and `output -json` carry secrets in clear). JsonUi: the -json UI,
  // one event per line; the sink gets each @message only, and the last `outputs` event (values in
  // clear) is kept in `*outputs`, never shown.
  enum class Stdout { Echo, Hidden, JsonUi };
  Call call(const std::string& label, const std::vector<std::string>& argv,
            Stdout mode = Stdout::Echo, std::string* outputs = nullptr);
  bool initialized() const;
  void prepare_plans_dir() const;
  bool verify_against_state(Result<ClusterState>& r);
  std::filesystem::path suspect_marker() const;
  bool outputs_suspect() const;
  void suspect_outputs(bool suspect);
  void use_current_artifact(ClusterState& state);
  std::optional<StepOutcome> ensure_init();
  void explain_state_lock(StepOutcome& outcome, const ProcessResult& r) const;
  std::string plan_file_for(const Step& step) const;
  static TerraformCommands::PlanScope plan_scope(const Step& step);
  StepOutcome guard_and_apply(const Step& step, const Deployment& from, bool dry_run,
                              const std::string& plan_file, PlanFileGuard& plan_guard,
                              StepOutcome outcome);
  StepOutcome apply_saved_plan(const Step& step, const std::string& plan_file, StepOutcome outcome);
  // Terraform's lines go to the sink, or are held while a prepare() runs on another thread.
  void emit(std::string_view step, std::string_view line, bool is_stderr);
  void flush_held_lines();

  std::string state_dir() const;
  std::filesystem::path cut_short_marker() const;
  Result<ClusterState> settle_cut_short_apply(Result<ClusterState> read);

  TerraformCommands commands_;
  CommandRunner& runner_;
  // Set for the length of a mutating run; read by call() on the main thread and by a
  // prepare() on another, never changed while one of them runs.
  LockShare lock_;
  TerraformSink sink_;
  bool init_checked_ = false;
  // prepare(): keep the checked plan instead of applying it. Its guard travels with it, so
  // the file is removed however the promote ends: applied (commit), gate failed (discard),
  // or xdeploy leaving early (this backend's destruction). A killed xdeploy leaves it for
  // the next run's stale-plan removal (prepare_state_dir, under the deploy lock).
  struct HeldPlan {
    std::string file;
    PlanFileGuard guard;
  };
  bool hold_plan_ = false;
  std::map<std::string, HeldPlan> held_plans_;
  bool hold_lines_ = false;
  std::vector<std::tuple<std::string, std::string, bool>> held_lines_;
  // An apply failed, was interrupted or did nothing: outputs may be stale
  // until the next complete apply or address refresh, so reads check them against the state.
  bool outputs_suspect_ = false;
};

// The last "Error: ..." block Terraform printed, folded to one line, for the
// one-line failure message. Escape codes are removed: it is recorded.
std::string terraform_error_summary(const std::string& stderr_text, const std::string& stdout_text);

}  // namespace xd
