// The native health gate: a slot answers as itself, straight at its own
// address, before the static IP moves to it.
#include <fmt/format.h>

#include <future>
#include <utility>

#include "xdeploy/app/verb_runner.h"
#include "xdeploy/http/health_gate.h"

namespace xd {

StepResult VerbRunner::health_gate(Operation& op, const Step& step,
                                   const std::function<void()>& once_fresh) {
  StepLine line{step.id(), step.describe()};
  // Never gate through a cached address: on Lightsail a slot's address changes on every
  // static IP attach/detach, and Terraform's state learns it only on a refresh.
  if (op.stale || backend_.addresses_may_be_stale()) {
    auto fresh = refresh_state(op, {step.color});
    line.add_commands(fresh.commands);
    if (!fresh.ok())
      return StepResult{ExitCode::Failed, fresh.error, fresh.hint}.with(
          std::move(line).done("failed"));
  }
  const SlotInfo* slot = op.state.slot(step.color);
  if (!slot || slot->health_url.empty())
    return StepResult{ExitCode::Failed,
                      fmt::format("{} has no health_url in the state", to_string(step.color)),
                      "check the Terraform outputs (`xdeploy status`)"}
        .with(std::move(line).done("failed"));
  if (slot->liveness == SlotLiveness::Crashed)
    return StepResult{ExitCode::HealthFailed,
                      fmt::format("{} is not running (its process exited); the static IP was not "
                                  "moved",
                                  to_string(step.color)),
                      fmt::format("see its log, then `xdeploy ~{}`", to_string(step.color))}
        .with(std::move(line).done("health_failed"));
  if (once_fresh) once_fresh();
  return poll_health(step, slot->health_url, std::move(line));
}

StepResult VerbRunner::poll_health(const Step& step, const std::string& url, StepLine line) {
  const HealthExpectation expect{options_.health.status, options_.health.body_contains, step.color};
  const GatePolicy policy{options_.health.request_timeout, options_.health.interval,
                          options_.health.timeout,         options_.health.insecure,
                          options_.health.ca_file,         options_.health.server_name};
  console_.detail(fmt::format("    GET {} until {} answers as {}", url, options_.health.status,
                              to_string(step.color)));
  std::string shown_verdict;
  auto gate = run_health_gate(url, expect, policy, [&](const GateAttempt& a) {
    const std::string verdict = a.verdict.empty() ? "healthy" : a.verdict;
    if (!console_.rewrites_progress() && !worth_a_log_line(a.number, verdict, shown_verdict))
      return;
    shown_verdict = verdict;
    console_.progress(
        fmt::format("    attempt {} at {}: {}", a.number, format_duration(a.at), verdict));
  });
  console_.end_progress();
  StepResult result;
  result.gates.push_back({std::string(to_string(step.color)), url, gate});
  if (gate.passed) {
    console_.detail(
        fmt::format("    {} is healthy after {} attempt(s)", to_string(step.color), gate.attempts));
    return std::move(result).with(std::move(line).done("ok"));
  }
  if (gate.interrupted) {
    result.code = ExitCode::Interrupted;
    result.message = "interrupted during the health gate; nothing was moved";
    return std::move(result).with(std::move(line).done("interrupted"));
  }
  std::string attempts;
  for (const auto& a : gate.last_attempts)
    attempts += fmt::format("\n  attempt {} at {}: {}", a.number, format_duration(a.at), a.verdict);
  if (!gate.last_body.empty()) attempts += fmt::format("\n  last body: {}", gate.last_body);
  result.code = ExitCode::HealthFailed;
  result.message =
      fmt::format("{} failed its health gate ({} attempts in {}); the static IP was not moved{}",
                  to_string(step.color), gate.attempts, format_duration(gate.elapsed), attempts);
  result.hint = fmt::format("check {} ({}), fix it with `xdeploy ~{}`, then run the command again",
                            to_string(step.color), url, to_string(step.color));
  return std::move(result).with(std::move(line).done("health_failed"));
}

// The promote's critical path: the plan of the move no longer reads health, so it is made
// (plan, show, guard) while the gate polls, and only the apply waits for the gate. The
// attestation is in that plan before the gate has ended; that is safe because the saved plan
// is xdeploy's own, applied only after the gate passed and deleted when it did not.
StepResult VerbRunner::gate_while_preparing(Operation& op, const Step& gate, const Step& move) {
  console_.info(fmt::format("--> {} (planning the move meanwhile)", gate.describe()));
  std::future<StepOutcome> planning;
  const Deployment from = op.current;
  StepResult gated = health_gate(op, gate, [&] {
    // After the refresh: the plan sees the same fresh state the gate used.
    planning =
        std::async(std::launch::async, [this, move, from] { return backend_.prepare(move, from); });
  });
  if (!planning.valid()) return gated;
  StepOutcome prepared = planning.get();
  if (!gated.ok()) {
    backend_.discard(move);
    return gated;
  }
  op.prepared = std::move(prepared);
  return gated;
}

}  // namespace xd
