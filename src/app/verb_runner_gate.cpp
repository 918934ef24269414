// The native health gate: a slot answers as itself, straight at its own
// address, before the static IP moves to it.
#include <fmt/format.h>

#include <future>
#include <utility>

#include "health_http.h"
#include "xdeploy/app/verb_runner.h"
#include "xdeploy/http/health_check.h"
#include "xdeploy/http/health_gate.h"
#include "xdeploy/http/http_get.h"

namespace xd {

// One request judged exactly as one attempt of the gate would be.
GateResult VerbRunner::try_once(const std::string& url, Color color) const {
  const auto started = std::chrono::steady_clock::now();
  GateResult once;
  once.attempts = 1;
  GateAttempt attempt{1, std::chrono::milliseconds{0}, 0, "no health URL"};
  if (!url.empty()) {
    const HealthExpectation expect{options_.health.status, options_.health.body_contains, color};
    const auto response = http_get(url, health_http_options(options_.health));
    attempt.status = response.status;
    attempt.verdict = judge_health(response, expect);
    once.last_body = response.body.substr(0, kGateBodyExcerpt);
    once.answered_as = answered_slot(response);
  }
  once.passed = attempt.verdict.empty();
  once.last_attempts.push_back(attempt);
  once.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return once;
}

bool VerbRunner::answers_as(const std::string& url, Color color) const {
  return try_once(url, color).passed;
}

// Never gate through an address that does not answer as the slot: on Lightsail a slot's
// address changes on every static IP attach/detach (and on a stop/start outside Terraform).
// The recorded one is tried once (the gate checks identity, so a stale one cannot pass); if
// it is unknown or answers as something else, the fresh one comes from `fresh` (the move's
// own plan, whose refresh read it anyway) or, without one, from a checked refresh.
// That one try is the gate's first attempt: when it passes, `answered` holds it and the gate
// is over (a slot is asked once, not twice: a slot may be counting its answers). An answer
// that names the slot but is not healthy yet (still booting) proves the address: the gate
// polls it at once instead of waiting for the move's plan.
StepResult VerbRunner::gate_address(Operation& op, const Step& step, StepLine& line,
                                    const FreshState& fresh, std::optional<GateResult>& answered) {
  const SlotInfo* slot = op.state.slot(step.color);
  if (slot && !slot->address_unknown && !slot->health_url.empty()) {
    auto once = try_once(slot->health_url, step.color);
    if (once.passed) {
      answered = std::move(once);
      return {};
    }
    if (once.answered_as == step.color) return {};
  }
  console_.detail(fmt::format(
      "    {}'s recorded address {}: reading it fresh", std::string(to_string(step.color)),
      slot && !slot->address_unknown && !slot->health_url.empty()
          ? "does not answer as " + std::string(to_string(step.color))
          : std::string("is unknown (the static IP left it since the last refresh)")));
  if (fresh) {
    auto state = fresh();
    if (!state)  // the caller has the plan's own reason
      return StepResult{ExitCode::Failed, "the move's plan could not read the slot's address"};
    op.state = std::move(*state);
    return {};
  }
  auto refreshed = refresh_state(op, {step.color});
  line.add_commands(refreshed.commands);
  if (!refreshed.ok()) return StepResult{refreshed.code, refreshed.error, refreshed.hint};
  return {};
}

StepResult VerbRunner::health_gate(Operation& op, const Step& step,
                                   const std::function<void()>& once_fresh,
                                   const FreshState& fresh) {
  StepLine line{step.id(), step.describe()};
  // An earlier step of this run changed the state: read it again (state pull, no refresh).
  if (op.stale) {
    auto read = refresh_state(op, {});
    line.add_commands(read.commands);
    if (!read.ok())
      return StepResult{read.code, read.error, read.hint}.with(std::move(line).done("failed"));
  }
  if (const SlotInfo* s = op.state.slot(step.color); s && !s->broken.empty())
    return StepResult{
        ExitCode::Refused,
        fmt::format("refused: {} is half-built ({}); the static IP was not moved",
                    std::string(to_string(step.color)), s->broken),
        fmt::format("`xdeploy ~{}` re-creates it", std::string(to_string(step.color)))}
        .with(std::move(line).done("refused"));
  if (once_fresh) once_fresh();
  std::optional<GateResult> answered;
  if (auto address = gate_address(op, step, line, fresh, answered); !address.ok())
    return std::move(address).with(std::move(line).done("failed"));
  const SlotInfo* slot = op.state.slot(step.color);
  if (answered) {
    console_.detail(fmt::format("    GET {} until {} answers as {}", slot->health_url,
                                options_.health.status, std::string(to_string(step.color))));
    console_.progress(
        fmt::format("    attempt 1 at {}: healthy", format_duration(answered->elapsed)));
    console_.end_progress();
    return gate_verdict(step, slot->health_url, *answered, std::move(line));
  }
  if (!slot || slot->health_url.empty())
    return StepResult{
        ExitCode::Failed,
        fmt::format("{} has no known address in the state", std::string(to_string(step.color))),
        "`xdeploy status --refresh` reads the slots' addresses"}
        .with(std::move(line).done("failed"));
  if (slot->liveness == SlotLiveness::Crashed)
    return StepResult{
        ExitCode::HealthFailed,
        fmt::format("{} is not running (its process exited); the static IP was not "
                    "moved",
                    std::string(to_string(step.color))),
        fmt::format("see its log, then `xdeploy ~{}`", std::string(to_string(step.color)))}
        .with(std::move(line).done("health_failed"));
  return poll_health(step, slot->health_url, std::move(line));
}

StepResult VerbRunner::poll_health(const Step& step, const std::string& url, StepLine line) {
  const HealthExpectation expect{options_.health.status, options_.health.body_contains, step.color};
  const GatePolicy policy{options_.health.request_timeout, options_.health.interval,
                          options_.health.timeout,         options_.health.insecure,
                          options_.health.ca_file,         options_.health.server_name};
  console_.detail(fmt::format("    GET {} until {} answers as {}", url, options_.health.status,
                              std::string(to_string(step.color))));
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
  return gate_verdict(step, url, gate, std::move(line));
}

StepResult VerbRunner::gate_verdict(const Step& step, const std::string& url,
                                    const GateResult& gate, StepLine line) {
  StepResult result;
  result.gates.push_back({std::string(to_string(step.color)), url, gate});
  if (gate.passed) {
    console_.detail(fmt::format("    {} is healthy after {} attempt(s)",
                                std::string(to_string(step.color)), gate.attempts));
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
  result.message = fmt::format(
      "{} failed its health gate ({} attempts in {}); the static IP was not moved{}",
      std::string(to_string(step.color)), gate.attempts, format_duration(gate.elapsed), attempts);
  result.hint =
      fmt::format("check {} ({}), fix it with `xdeploy ~{}`, then run the command again",
                  std::string(to_string(step.color)), url, std::string(to_string(step.color)));
  return std::move(result).with(std::move(line).done("health_failed"));
}

// The promote's critical path: the gate runs while the move is planned (plan -json, read and
// checked, on another thread), and only the apply waits for the gate. No refresh precedes
// them: the gate tries the recorded address first, and if that does not answer as the slot,
// the fresh address comes from the move's own plan. The attestation is in that plan before
// the gate has ended; that is safe because the saved plan is xdeploy's own, applied only
// after the gate passed and deleted when it did not.
StepResult VerbRunner::gate_while_preparing(Operation& op, const Step& gate, const Step& move,
                                            Way way) {
  console_.info(fmt::format("--> {}{} (planning the move meanwhile)",
                            way == Way::Back ? "rollback: " : "", gate.describe()));
  std::future<StepOutcome> planning;
  std::optional<StepOutcome> prepared;
  const Deployment from = op.current;
  bool needed_the_plan = false;
  auto wait_for_plan = [&]() -> std::optional<ClusterState> {
    needed_the_plan = true;
    if (!prepared && planning.valid()) prepared = planning.get();
    if (!prepared || !prepared->ok()) return std::nullopt;  // the plan says why, below
    // A backend whose plan reads nothing fresh: the recorded state is all there is.
    return prepared->refreshed ? prepared->refreshed : std::optional<ClusterState>(op.state);
  };
  StepResult gated = health_gate(
      op, gate,
      [&] {
        planning = std::async(std::launch::async,
                              [this, move, from] { return backend_.prepare(move, from); });
      },
      wait_for_plan);
  if (!prepared && planning.valid()) prepared = planning.get();
  if (!prepared) return gated;
  if (!gated.ok()) {
    backend_.discard(move);
    if (needed_the_plan && !prepared->ok()) {
      // The gate needed the plan's fresh address and the plan failed or was refused (its
      // refresh found the slot gone, say): that is the reason, with the plan's own code.
      StepResult refused{prepared->code, prepared->message, prepared->hint};
      refused.add_records(std::move(gated));
      StepLine line{move.id(), move.describe()};
      line.add_commands(prepared->commands);
      return std::move(refused).with(std::move(line).done(result_name(to_int(prepared->code))));
    }
    return gated;
  }
  op.prepared = std::move(prepared);
  return gated;
}

}  // namespace xd
