#pragma once
// The Terraform backend: every state write is the apply of a saved plan that xdeploy read
// and checked first (plan -json -out: the guard reads the planned changes from the stream,
// the drift check reads the plan file's two states; then apply PLAN). A refresh too: a
// refresh-only plan, checked, then applied; never `apply -refresh-only -auto-approve`.
// The state is read one way: `state pull` (state_reader.h). Terraform's output streams
// live through `sink`, prefixed with the step id.
#include <filesystem>
#include <functional>
#include <map>
#include <string_view>
#include <tuple>
#include <vector>

#include "plan_file_guard.h"
#include "plan_stream.h"
#include "saved_plan.h"
#include "terraform_commands.h"
#include "xdeploy/backend/backend.h"
#include "xdeploy/backend/terraform/terraform.h"
#include "xdeploy/process/subprocess.h"

namespace xd {

// How one Terraform call's stdout is treated. Echo: shown as is. Hidden: kept for parsing
// but never shown or logged (`state pull` carries secrets in clear). JsonUi: the -json UI,
// one event per line; the sink gets each @message only (a plan's `outputs` event carries no
// values; applies, whose would, are never run with -json). `on_line` sees every line that
// is not hidden; `interrupt_when` is ProcessSpec's (one SIGINT the first time it says so).
struct TerraformCall {
  enum class Stdout { Echo, Hidden, JsonUi };
  Stdout mode = Stdout::Echo;
  std::function<void(std::string_view)> on_line;
  std::function<bool()> interrupt_when;
  std::optional<int> interrupts_acknowledged;  // ProcessSpec::interrupts_acknowledged

  static TerraformCall echo() { return {}; }
  static TerraformCall hidden() {
    TerraformCall c;
    c.mode = Stdout::Hidden;
    return c;
  }
  static TerraformCall json_ui(std::function<void(std::string_view)> on_line) {
    TerraformCall c;
    c.mode = Stdout::JsonUi;
    c.on_line = std::move(on_line);
    return c;
  }
};

class TerraformBackend : public Backend {
 public:
  TerraformBackend(TerraformSettings settings, CommandRunner& runner, TerraformSink sink);

  std::string name() const override { return "terraform"; }
  Result<ClusterState> read_state() override;
  Result<ClusterState> refresh_state(const Deployment& deployment,
                                     const std::vector<Color>& colors) override;
  Result<DriftReport> inspect_drift(const Deployment& deployment) override;
  void share_lock(LockShare share) override;
  std::optional<StepOutcome> initialize() override { return ensure_init(); }
  // The IP move: its plan reads no health, so it can be made while the gate polls.
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
  Call call(const std::string& label, const std::vector<std::string>& argv,
            const TerraformCall& options = TerraformCall::echo());
  bool initialized() const;
  void prepare_plans_dir() const;
  void use_current_artifact(ClusterState& state);
  std::optional<StepOutcome> ensure_init();
  void explain_state_lock(StepOutcome& outcome, const ProcessResult& r) const;
  std::string plan_file_for(const Step& step) const;
  static TerraformCommands::PlanScope plan_scope(const Step& step);
  // A plan that was made and read: its stream, its two states, and the outcome so far.
  struct CheckedPlan {
    StepOutcome outcome;  // not ok(): refused or failed, nothing to apply
    int exit_code = 0;    // plan -detailed-exitcode: 0 no changes, 2 changes
    PlanStream stream;
    std::optional<SavedPlanStates> states;
  };
  CheckedPlan make_plan(const std::string& label, const std::vector<std::string>& argv,
                        const std::string& plan_file, const std::string& what);
  std::optional<StepOutcome> refuse_drops(const SavedPlanStates& states, const Step* step,
                                          const Deployment& deployment) const;
  Result<ClusterState> state_from(const StateFacts& facts, const std::string& what);
  StepOutcome guard_and_apply(const Step& step, const Deployment& from, bool dry_run,
                              const std::string& plan_file, PlanFileGuard& plan_guard,
                              CheckedPlan plan);
  // `changes`: the plan changes resources, so an apply that reports none did nothing (a
  // refresh-only plan changes none and says so).
  StepOutcome apply_saved_plan(const Step& step, const std::string& plan_file, StepOutcome outcome,
                               bool changes = true);
  // Terraform's lines go to the sink, or are held while a prepare() runs on another thread.
  void emit(std::string_view step, std::string_view line, bool is_stderr);
  void flush_held_lines();

  std::string state_dir() const;

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
};

// A failed step's outcome.
StepOutcome failure(ExitCode code, std::string message, std::string hint = {});
// Interrupted wins over Failed: Terraform exits 1 after a Ctrl-C too.
ExitCode classify(const ProcessResult& r);
// Terraform could not be started: what to set.
std::string not_started_message(const ProcessResult& r, const std::string& binary);

// The last "Error: ..." block Terraform printed, folded to one line, for the
// one-line failure message. Escape codes are removed: it is recorded.
std::string terraform_error_summary(const std::string& stderr_text, const std::string& stdout_text);

}  // namespace xd
