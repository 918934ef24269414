// Reading the state back: after a change (the goal must be seen, not assumed),
// and after a failure (history records what is, never what a step that did
// not finish meant to do).
#include <fmt/format.h>

#include "xdeploy/app/verb_runner.h"

namespace xd {

// The state with fresh addresses for `colors` (Terraform: a checked refresh-only plan,
// applied only if it found drift; with no colors, a read), adopted by the operation.
Result<ClusterState> VerbRunner::refresh_state(Operation& op, const std::vector<Color>& colors) {
  auto state = backend_.refresh_state(op.current, colors);
  if (state.ok()) {
    op.state = *state.value;
    op.stale = false;
  }
  return state;  // on failure its hint says what to do (e.g. a held state lock: its ID)
}

StepResult VerbRunner::verify_active(Operation& op, const Step& step) {
  StepLine line{step.id(), step.describe()};
  // Read back, not refreshed: the state the move's apply wrote says who holds the static IP
  // (its new holder answers on it); the old holder's new address is recorded as unknown
  // until something reads it (`status --refresh`, or the next gate on that slot).
  if (op.stale) {
    auto fresh = refresh_state(op, {});
    line.add_commands(fresh.commands);
    if (!fresh.ok())
      return StepResult{fresh.code, fresh.error, fresh.hint}.with(std::move(line).done("failed"));
  }
  op.current = op.state.deployment;
  if (op.state.deployment.active != step.color)
    return StepResult{ExitCode::Failed,
                      fmt::format("after the change the backend reports {}, expected {} active",
                                  op.state.deployment.describe(), to_string(step.color)),
                      "run `xdeploy status`; the same command can be run again"}
        .with(std::move(line).done("failed"));
  return StepResult{}.with(std::move(line).done("ok"));
}

// Every mutating verb ends by reading the state back (state pull): an apply that exited 0
// having done nothing must not be reported as done.
StepResult VerbRunner::confirm_goal(Operation& op, const Plan& plan) {
  if (!op.stale) return {};  // the last step (verify) already read it back
  StepLine line{"confirm", "read the state back"};
  auto fresh = refresh_state(op, {});
  line.add_commands(fresh.commands);
  if (fresh.ok()) op.current = op.state.deployment;
  if (fresh.ok() && op.state.deployment == plan.to)
    return StepResult{}.with(std::move(line).done("ok"));
  return StepResult{ExitCode::Failed,
                    fresh.ok() ? fmt::format("after the change the backend reports {}, expected {}",
                                             op.state.deployment.describe(), plan.to.describe())
                               : fresh.error,
                    "run `xdeploy status`; the same command can be run again"}
      .with(std::move(line).done("failed"));
}

// After a failed or interrupted step, what history records as the end state
// is read again (the backend reads it in a way that cannot be stale), never
// assumed from the step that did not finish. Returns the line to add to the message.
std::string VerbRunner::settle_final_state(Operation& op) {
  // A plain read (Terraform: state pull; nothing is applied after a failure).
  auto fresh = refresh_state(op, {});
  if (!fresh.ok()) return fmt::format("\nthe state could not be read back ({})", fresh.error);
  op.current = op.state.deployment;
  return fmt::format("\nnow: {}", op.current.describe());
}

}  // namespace xd
