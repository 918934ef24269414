// The run of one verb, from the lock to the history line: lock, read the
// state, decide, confirm, run the plan's steps, finish.
#include "xdeploy/app/verb_runner.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <filesystem>
#include <utility>

#include "goal_check.h"
#include "state_dir.h"
#include "xdeploy/core/ansi_text.h"
#include "xdeploy/core/planner.h"
#include "xdeploy/core/survivor_check.h"
#include "xdeploy/history/history_log.h"
#include "xdeploy/lock/operation_lock.h"
#include "xdeploy/process/interrupts.h"

namespace xd {

namespace fs = std::filesystem;

VerbRunner::Operation VerbRunner::begin(const Request& request) const {
  Operation op;
  op.started = std::chrono::steady_clock::now();
  const auto me = current_process_holder(request.display());
  op.record.started_at = now_iso8601();
  op.record.user = me.user;
  op.record.host = me.host;
  op.record.verb = request.display();
  op.record.backend = backend_.name();
  op.record.dry_run = options_.dry_run;
  return op;
}

std::string VerbRunner::log_file_for(const std::string& verb) const {
  std::string safe;
  for (char c : verb) safe += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  const auto now = std::chrono::system_clock::now();
  return fmt::format("{}/logs/{:%Y%m%dT%H%M%S}Z-{}.log", options_.state_dir(),
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), safe);
}

void VerbRunner::save_history(const OperationRecord& record) {
  if (record.dry_run) return;  // history is what happened, not what was previewed
  const auto error = HistoryLog(options_.state_dir() + "/history.jsonl").append(record.to_json());
  if (!error.empty())
    console_.warn(fmt::format("could not record the operation in history: {}", error));
  save_team_history(record);
}

// The one place a result becomes the exit code, the message and the history line.
int VerbRunner::finish(Operation& op, StepResult result) {
  result.move_records_to(op.record);
  ExitCode code = result.code;
  // Recorded text never carries terminal escapes (Terraform's colored errors).
  std::string message = strip_ansi(result.message);
  std::string hint = strip_ansi(result.hint);
  if (timed_out() && (code == ExitCode::Interrupted || code == ExitCode::Failed)) {
    code = ExitCode::TimedOut;
    message = fmt::format("timed out after {} (--timeout): {}", format_duration(*options_.timeout),
                          message);
    hint =
        "Terraform was interrupted and saved its state; `xdeploy status` shows where things stand. "
        "Run the same command again (with a longer --timeout) to finish";
  }
  if (code != ExitCode::Ok && op.stale && !options_.dry_run) message += settle_final_state(op);
  op.record.exit_code = to_int(code);
  if (op.record.result != "noop" || code != ExitCode::Ok)
    op.record.result = result_name(to_int(code));
  op.record.message = message;
  op.record.duration =
      std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - op.started);
  // The end state is the one last read back; unknown while a change is unconfirmed.
  if (!op.record.to && !op.stale) op.record.to = op.current;
  save_history(op.record);
  if (code == ExitCode::Ok) {
    if (!message.empty()) console_.success(message);
  } else {
    console_.error(message, hint);
  }
  hooks_.after(op.record);  // post-* / on-failure: reported, never change `code`
  release_team_lock();
  if (!console_.log_path().empty() && code != ExitCode::Ok)
    console_.info("full log: " + console_.log_path());
  if (options_.json) console_.result(op.record.to_json().dump());
  return to_int(code);
}

int VerbRunner::execute(const Request& request) {
  InterruptScope interrupts;
  DeadlineScope deadline(options_.timeout, options_.timeout_grace);
  Operation op = begin(request);
  hooks_.bind(request);
  std::error_code ec;
  fs::create_directories(fs::path(options_.state_dir()) / "logs", ec);

  LockAttempt attempt = lock_attempt(request);
  LockRefusal refusal;
  auto local_lock = flock_operation_lock(fs::path(options_.state_dir()) / "lock");
  auto lock = local_lock->acquire(attempt, &refusal);
  if (!lock)
    return finish(op, {lock_refusal_code(refusal), lock_refusal_message(refusal),
                       lock_refusal_hint(refusal)});
  for (const auto& note : lock->notes()) console_.warn(note);
  // Terraform shares the lock's descriptor (see deploy_lock.h) until this run ends.
  backend_.share_lock(
      {lock->inheritable_fd(),
       [&](int pid, const std::string& command) { lock->child_started(pid, command); },
       [&](int pid) { lock->child_ended(pid); }});
  struct Unshare {
    Backend& backend;
    ~Unshare() { backend.share_lock({}); }
  } unshare{backend_};
  const auto dir = prepare_state_dir(options_.state_dir());
  if (!options_.dry_run) console_.open_log(log_file_for(request.display()));
  for (const auto& warning : dir.warnings) console_.warn(warning);
  if (dir.stale_plans_removed > 0)
    console_.info(fmt::format("removed {} plan file(s) left by an earlier run that did not finish",
                              dir.stale_plans_removed));
  // A remote state's runs, on any machine, also take the lock next to that state.
  if (auto failed = take_team_lock(attempt, lock->identity(), op)) return *failed;

  StepResult read = read_state(op);
  if (!read.ok()) return finish(op, std::move(read));
  read.move_records_to(op.record);
  return decide_and_run(op, request);
}

StepResult VerbRunner::read_state(Operation& op) {
  StepLine line{"state", "read the current state"};
  auto state = backend_.read_state();
  line.add_commands(state.commands);
  if (!state.ok())
    return StepResult{state.code, state.error, state.hint}.with(std::move(line).done("failed"));
  op.state = *state.value;
  op.current = op.state.deployment;
  op.record.from = op.current;
  return StepResult{}.with(std::move(line).done("ok"));
}

int VerbRunner::decide_and_run(Operation& op, const Request& request) {
  Request effective = request;
  effective.force = request.force || options_.force;
  const Decision decision = decide(effective, op.current);
  std::optional<Plan> repair;
  if (const auto* noop = std::get_if<Noop>(&decision)) {
    // Only after the goal was checked against the world (goal_check.h).
    repair = repair_instead_of_noop(effective, op.state, [this](const std::string& url, Color c) {
      return answers_as(url, c);
    });
    if (!repair) {
      op.record.result = "noop";
      warn_stale_builds(op.state);
      return finish(op, {ExitCode::Ok, "nothing to do: " + noop->message});
    }
    const Step& first = repair->steps.front();
    console_.warn(
        first.kind == StepKind::ReplaceSlot
            ? fmt::format("{} is half-built ({}): re-creating it",
                          std::string(to_string(first.color)), op.state.slot(first.color)->broken)
            : fmt::format("the state says {} is active, but {} does not answer as {}: "
                          "attaching the static IP to it again",
                          std::string(to_string(first.color)), *op.state.public_health_url,
                          std::string(to_string(first.color))));
  }
  if (const auto* refusal = std::get_if<Refusal>(&decision))
    return finish(op, {refusal->code, "refused: " + refusal->reason, refusal->hint});
  const Plan& plan = repair ? *repair : std::get<Plan>(decision);
  if (auto refusal = refuse_destroying_the_last_runner(plan, op.state, effective.force))
    return finish(op, {refusal->code, "refused: " + refusal->reason, refusal->hint});
  announce(plan);
  if (plan.request.verb == Verb::Promote || plan.request.verb == Verb::Rollback)
    warn_stale_builds(op.state);
  if (options_.dry_run) return dry_run(op, plan);
  if (plan.destructive && !options_.yes && console_.interactive() &&
      !console_.confirm(
          fmt::format("{}: this destroys or replaces a slot. Continue?", request.display())))
    return finish(op, {ExitCode::Refused, "not confirmed; nothing changed",
                       "pass --yes to skip the question"});
  if (auto refusal = hooks_.before(plan, op.record))  // pre-*: may stop us, nothing changed yet
    return finish(op, {refusal->code, refusal->message, refusal->hint});
  return run_plan(op, plan);
}

// The change detection the seed missed: each slot reports the build it runs,
// Terraform the build a new slot would get; a slot behind says so.
void VerbRunner::warn_stale_builds(const ClusterState& state) {
  for (const auto& [color, slot] : state.slots) {
    if (!state.stale(color)) continue;
    // Prod is not replaced in place: the new build goes to its twin, then the IP moves.
    const std::string how =
        state.deployment.is_active(color)
            ? fmt::format("`xdeploy teal` (or `xdeploy ~{}`) then `xdeploy promote {}` ships it",
                          to_string(other(color)), to_string(other(color)))
            : fmt::format("`xdeploy ~{}` replaces it", to_string(color));
    console_.warn(fmt::format("{} runs build {:.12} but the current build is {:.12}; {}",
                              to_string(color), slot.build, *state.current_build, how));
  }
}

void VerbRunner::announce(const Plan& plan) {
  console_.info(fmt::format("==> {}: {} -> {}", plan.request.display(), plan.from.describe(),
                            plan.to.describe()));
  int n = 0;
  for (const auto& step : plan.steps)
    console_.detail(fmt::format("    {}. {}", ++n, step.describe()));
}

int VerbRunner::dry_run(Operation& op, const Plan& plan) {
  // Under --json the step list goes into the one result object, not stdout.
  auto say = [&](const std::string& line) {
    if (options_.json)
      op.record.plan.push_back(line);
    else
      console_.result(line);
  };
  int n = 0;
  bool first_mutating = true;
  for (const auto& step : plan.steps) {
    say(fmt::format("{}. {}", ++n, step.describe()));
    if (step.kind == StepKind::HealthGate) {
      const auto* slot = op.state.slot(step.color);
      say(fmt::format("     GET {} (expect {}, slot {})",
                      slot ? slot->health_url : "<its health_url>", options_.health.status,
                      to_string(step.color)));
    }
    if (step.kind == StepKind::VerifyActive) say("     read the state back");
    if (!is_mutating(step.kind)) continue;
    for (const auto& line : backend_.describe(step, op.current)) say("     " + line);
    if (!first_mutating) continue;
    first_mutating = false;
    // Only the first step can be planned now: later ones depend on it.
    StepLine line{step.id(), step.describe()};
    auto outcome = backend_.run(step, op.current, /*dry_run=*/true);
    line.record.message = outcome.message;
    line.add_commands(outcome.commands);
    const auto result = outcome.ok() ? "ok" : result_name(to_int(outcome.code));
    op.record.steps.push_back(std::move(line).done(result));
    if (!outcome.ok()) return finish(op, {outcome.code, outcome.message, outcome.hint});
    console_.info(fmt::format("    {}", outcome.message));
  }
  op.record.to = plan.to;
  return finish(op, {ExitCode::Ok, "dry run: nothing was changed"});
}

int VerbRunner::run_plan(Operation& op, const Plan& plan) {
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& step = plan.steps[i];
    const Step* next = i + 1 < plan.steps.size() ? &plan.steps[i + 1] : nullptr;
    if (interrupted())
      return finish(
          op,
          {ExitCode::Interrupted, fmt::format("interrupted before: {}", step.describe()),
           "`xdeploy status` shows where things stand; run the same command again to continue"});
    StepResult result = run_step_planning_ahead(op, step, next, Way::Forward);
    if (!result.ok()) return finish(op, std::move(result));
    result.move_records_to(op.record);
  }
  StepResult confirmed = confirm_goal(op, plan);
  if (!confirmed.ok()) return finish(op, std::move(confirmed));
  confirmed.message = fmt::format("{}: {}", plan.request.display(), op.current.describe());
  return finish(op, std::move(confirmed));
}

// A gate right before the move it guards: plan the move while the gate polls (the plan's
// refresh also reads the slot's fresh address). Any other step runs alone.
StepResult VerbRunner::run_step_planning_ahead(Operation& op, const Step& step, const Step* next,
                                               Way way) {
  const bool overlap = step.kind == StepKind::HealthGate && next &&
                       next->kind == StepKind::SwitchTraffic && next->color == step.color &&
                       backend_.can_prepare(*next);
  return overlap ? gate_while_preparing(op, step, *next, way) : run_step(op, step, way);
}

StepResult VerbRunner::run_step(Operation& op, const Step& step, Way way) {
  console_.info(fmt::format("--> {}{}", way == Way::Back ? "rollback: " : "", step.describe()));
  switch (step.kind) {
    case StepKind::HealthGate:
      return health_gate(op, step);
    case StepKind::VerifyActive:
      return verify_active(op, step);
    case StepKind::SwitchTraffic:
      // The way back is a plain move: no prober, so no second rollback.
      return way == Way::Back ? backend_step(op, step) : switch_traffic(op, step);
    default:
      return backend_step(op, step);
  }
}

StepResult VerbRunner::backend_step(Operation& op, const Step& step) {
  StepLine line{step.id(), step.describe()};
  std::optional<StepOutcome> prepared = std::exchange(op.prepared, std::nullopt);
  auto outcome = prepared ? backend_.commit(step, std::move(*prepared))
                          : backend_.run(step, op.current, false);
  line.record.message = outcome.message;
  line.add_commands(outcome.commands);
  op.stale = true;  // even a failed apply may have done part of the work
  if (!outcome.ok())
    return StepResult{outcome.code, outcome.message, outcome.hint}.with(
        std::move(line).done(result_name(to_int(outcome.code))));
  if (!outcome.message.empty()) console_.detail("    " + outcome.message);
  op.current = step.target;
  return StepResult{}.with(std::move(line).done("ok"));
}

}  // namespace xd
