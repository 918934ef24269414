// Moving the static IP: the move itself, the downtime prober that watches the
// public address across it, and the automatic way back when the new color
// never serves or the move stops half-way.
#include <fmt/format.h>

#include <iterator>
#include <utility>

#include "health_http.h"
#include "xdeploy/app/verb_runner.h"
#include "xdeploy/process/interrupts.h"

namespace xd {

namespace {

ProbeConfig probe_config(const AppOptions& options, const std::string& url, Color expect) {
  ProbeConfig config;
  config.url = url;
  config.expect = expect;
  config.period = options.probe.period;
  config.timeout = options.probe.timeout;
  config.deadline = options.probe.deadline;
  config.consecutive_needed = options.probe.successes;
  config.insecure = options.health.insecure;
  config.ca_file = options.health.ca_file;
  config.server_name = options.health.server_name;
  return config;
}

std::string no_slot_hint(Color moving_to, Color served) {
  return fmt::format(
      "nothing serves the public address. `xdeploy promote {}` puts the static IP back on {} "
      "(it served until now); `xdeploy promote {}` tries {} again",
      std::string(to_string(served)), std::string(to_string(served)),
      std::string(to_string(moving_to)), std::string(to_string(moving_to)));
}

}  // namespace

StepResult VerbRunner::switch_traffic(Operation& op, const Step& step) {
  const Deployment before = op.current;
  std::optional<DowntimeProber> prober;
  // Only a real swap is measured: a first attach, or re-attaching prod to itself after a
  // forced replace, has no previous color that served.
  const bool swap = before.active && *before.active != step.color;
  if (swap && options_.probe.enabled && op.state.public_health_url) {
    prober.emplace(probe_config(options_, *op.state.public_health_url, step.color));
    prober->start();
    prober->mark_switch();
  }
  StepResult moved = backend_step(op, step);
  if (prober && !moved.ok()) moved.probe = prober->stop_now();
  if (!moved.ok() && swap) return after_failed_move(op, step, *before.active, std::move(moved));
  if (!prober) return moved;
  return watch_public_endpoint(op, step, *before.active, *prober, std::move(moved));
}

// The move took: the prober says whether the new color now answers on the public address.
StepResult VerbRunner::watch_public_endpoint(Operation& op, const Step& step, Color served,
                                             DowntimeProber& prober, StepResult moved) {
  console_.info(fmt::format("    watching {} until {} answers", *op.state.public_health_url,
                            std::string(to_string(step.color))));
  moved.probe = prober.wait_and_stop();
  console_.info("    " + moved.probe->one_line());
  if (moved.probe->new_color_served) return moved;
  if (interrupted()) {
    moved.code = ExitCode::Interrupted;
    moved.message = "interrupted while watching the public endpoint";
    return moved;
  }
  moved.message = fmt::format("{} never served on the public endpoint {} within {}",
                              std::string(to_string(step.color)), *op.state.public_health_url,
                              format_duration(options_.probe.deadline));
  if (options_.probe.auto_rollback) return auto_rollback(op, served, std::move(moved));
  moved.code = ExitCode::RolledBack;
  moved.hint = fmt::format("left as is (--no-auto-rollback); `xdeploy rollback` returns to {}",
                           std::string(to_string(served)));
  return moved;
}

// The way back to the color that served: its own gate, a plain move (no prober), a check.
// Prod may be dark meanwhile (a move that stopped half-way), so the gate polls while the move
// back is planned, as in a promote: the way back costs one plan and one apply, which is what
// the move's deadline keeps in reserve for it (backend/terraform/move_budget.h).
StepResult VerbRunner::auto_rollback(Operation& op, Color back_to, StepResult failure) {
  console_.warn(
      fmt::format("{}; rolling back to {}", failure.message, std::string(to_string(back_to))));
  const Deployment to{back_to, other(back_to)};
  const Step steps[] = {Step{StepKind::HealthGate, back_to, op.current},
                        Step{StepKind::SwitchTraffic, back_to, to},
                        Step{StepKind::VerifyActive, back_to, to}};
  for (std::size_t i = 0; i < std::size(steps); ++i) {
    const Step* next = i + 1 < std::size(steps) ? &steps[i + 1] : nullptr;
    StepResult back = run_step_planning_ahead(op, steps[i], next, Way::Back);
    const bool ok = back.ok();
    const std::string why = back.message;
    failure.add_records(std::move(back));
    if (ok) continue;
    failure.code = ExitCode::Failed;
    failure.message += fmt::format("; the automatic rollback to {} FAILED too: {}",
                                   std::string(to_string(back_to)), why);
    failure.hint = "run `xdeploy status` and act by hand; nothing else will be tried";
    return failure;
  }
  failure.code = ExitCode::RolledBack;
  failure.message +=
      fmt::format("; rolled back: {} is active again", std::string(to_string(back_to)));
  failure.hint = "check the new slot's logs; fix it with `xdeploy ~<color>` and promote again";
  return failure;
}

// A failed move can stop between its two halves: Lightsail detaches the IP from the old
// slot, then the attach to the new one fails (real Terraform replaces the attachment:
// destroy, then create). Prod is then down, and a generic "apply failed" hides it. So the
// state is read back at once; if the IP is on no slot, it is said plainly, and (unless
// --no-auto-rollback, or the user interrupted) the IP goes back to the color that served
// until now, through its own health gate like any move: that slot was only detached, never
// changed, and bringing prod back is what the person who asked for the promote wants
// first. That is a rollback (exit 6); if it fails too, exit 1 names both ways out.
StepResult VerbRunner::after_failed_move(Operation& op, const Step& move, Color back_to,
                                         StepResult failure) {
  StepLine settle{"settle", "read the state back after the failed move"};
  auto fresh = refresh_state(op, {});
  settle.add_commands(fresh.commands);
  failure.steps.push_back(std::move(settle).done(fresh.ok() ? "ok" : "failed"));
  if (!fresh.ok()) return failure;  // finish() says the state could not be read back
  op.current = op.state.deployment;
  if (op.current.active) {  // the IP is still on a slot: say which, as finish() would have
    failure.message += fmt::format("\nnow: {}", op.current.describe());
    return failure;
  }
  if (const auto holder = unrecorded_holder(op.state, options_.health)) {
    // Lightsail did the attach, Terraform did not hear it: prod serves, nothing to undo.
    const std::string color{to_string(*holder)};
    failure.message += fmt::format(
        "\nyet the public address answers as {}: the static IP is on {}, the state does not "
        "record it",
        color, color);
    failure.hint = fmt::format("`xdeploy promote {}` records it (no other move was made)", color);
    return failure;
  }
  failure.message +=
      fmt::format("\nthe static IP is attached to no slot ({})", op.current.describe());
  failure.hint = no_slot_hint(move.color, back_to);
  if (failure.code == ExitCode::Interrupted || interrupted() || !options_.probe.auto_rollback ||
      !op.current.has(back_to))
    return failure;
  StepResult back = auto_rollback(op, back_to, std::move(failure));
  // Not auto_rollback's "check the new slot": the move failed, not the slot.
  back.hint = back.code == ExitCode::RolledBack
                  ? fmt::format(
                        "moving the static IP to {} failed (the error above); once that is "
                        "fixed, `xdeploy promote {}` tries again",
                        std::string(to_string(move.color)), std::string(to_string(move.color)))
                  : no_slot_hint(move.color, back_to);
  return back;
}

}  // namespace xd
