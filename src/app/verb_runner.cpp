#include "app/verb_runner.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <filesystem>
#include <future>
#include <utility>

#include "app/goal_check.h"
#include "app/state_dir.h"
#include "xdeploy/core/ansi_text.h"
#include "xdeploy/core/planner.h"
#include "xdeploy/core/survivor_check.h"
#include "xdeploy/history/history_log.h"
#include "xdeploy/http/health_check.h"
#include "xdeploy/http/health_gate.h"
#include "xdeploy/lock/deploy_lock.h"
#include "xdeploy/process/interrupts.h"

namespace xd {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

Millis since(Clock::time_point t) {
  return std::chrono::duration_cast<Millis>(Clock::now() - t);
}

std::string color_name(Color c) {
  return std::string(to_string(c));
}

}  // namespace

VerbRunner::Operation VerbRunner::begin(const Request& request) const {
  Operation op;
  op.started = Clock::now();
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
}

int VerbRunner::finish(Operation& op, ExitCode code, const std::string& raw_message,
                       const std::string& raw_hint) {
  // Recorded text never carries terminal escapes (Terraform's colored errors).
  std::string message = strip_ansi(raw_message);
  std::string hint = strip_ansi(raw_hint);
  if (timed_out() && (code == ExitCode::Interrupted || code == ExitCode::Failed)) {
    code = ExitCode::TimedOut;
    message = fmt::format("timed out after {} (--timeout): {}", format_duration(*options_.timeout),
                          message);
    hint =
        "Terraform was interrupted and saved its state; `xdeploy status` shows where things stand. "
        "Run the same command again (with a longer --timeout) to finish";
  }
  if (code != ExitCode::Ok && op.stale && !options_.dry_run) settle_final_state(op, message);
  op.record.exit_code = to_int(code);
  if (op.record.result != "noop" || code != ExitCode::Ok)
    op.record.result = result_name(to_int(code));
  op.record.message = message;
  op.record.duration = since(op.started);
  if (!op.record.to && !op.stale) op.record.to = op.current;
  save_history(op.record);
  if (code == ExitCode::Ok) {
    if (!message.empty()) console_.success(message);
  } else {
    console_.error(message, hint);
  }
  hooks_.after(op.record);  // post-* / on-failure: reported, never change `code`
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

  DeployLock::Error lock_error;
  bool said_waiting = false;
  auto lock = DeployLock::acquire(
      fs::path(options_.state_dir()) / "lock", current_process_holder(request.display()),
      options_.lock_wait, &lock_error, [&] {
        if (!said_waiting && options_.lock_wait.count() > 0)
          console_.info(fmt::format("waiting up to {} for another xdeploy to finish",
                                    format_duration(options_.lock_wait)));
        said_waiting = true;
        return interrupted();
      });
  if (!lock) {
    if (!lock_error.busy) return finish(op, ExitCode::Failed, lock_error.message);
    if (lock_error.interrupted)
      return finish(op, ExitCode::Interrupted, "interrupted while waiting for the lock",
                    "nothing was changed");
    if (lock_error.orphaned)
      return finish(op, ExitCode::Locked,
                    fmt::format("the deploy lock is still held by {}", lock_error.who),
                    "a Terraform from a killed run is finishing its operation and saving its "
                    "state (never kill it: that loses state and leaves Terraform's own lock); "
                    "wait for it, or pass --lock-wait 10m to queue behind it, then check "
                    "`xdeploy status`");
    return finish(op, ExitCode::Locked,
                  fmt::format("another xdeploy is running: {}", lock_error.who),
                  "wait for it to finish, or pass --lock-wait 10m to queue behind it");
  }
  // Terraform shares the lock's descriptor (see deploy_lock.h) until this run ends.
  backend_.share_lock(
      {lock->fd(), [&](int pid, const std::string& command) { lock->child_started(pid, command); },
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

  StepRecord read{"state", "read the current state", "ok", "", {}, {}};
  const auto t = Clock::now();
  auto state = backend_.read_state();
  read.duration = since(t);
  read.commands = state.commands;
  if (!state.ok()) {
    read.result = "failed";
    op.record.steps.push_back(read);
    return finish(op, state.code, state.error, state.hint);
  }
  op.record.steps.push_back(read);
  op.state = *state.value;
  op.current = op.state.deployment;
  op.record.from = op.current;

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
      return finish(op, ExitCode::Ok, "nothing to do: " + noop->message);
    }
    console_.warn(repair->steps.front().kind == StepKind::ReplaceSlot
                      ? fmt::format("{} is half-built ({}): re-creating it",
                                    color_name(repair->steps.front().color),
                                    op.state.slot(repair->steps.front().color)->broken)
                      : fmt::format("the state says {} is active, but {} does not answer as {}: "
                                    "attaching the static IP to it again",
                                    color_name(*op.current.active), *op.state.public_health_url,
                                    color_name(*op.current.active)));
  }
  if (const auto* refusal = std::get_if<Refusal>(&decision))
    return finish(op, refusal->code, "refused: " + refusal->reason, refusal->hint);
  const Plan& plan = repair ? *repair : std::get<Plan>(decision);
  if (auto refusal = refuse_destroying_the_last_runner(plan, op.state, effective.force))
    return finish(op, refusal->code, "refused: " + refusal->reason, refusal->hint);
  announce(plan);
  if (plan.request.verb == Verb::Promote || plan.request.verb == Verb::Rollback)
    warn_stale_builds(op.state);
  if (options_.dry_run) return dry_run(op, plan);
  if (plan.destructive && !options_.yes && console_.interactive() &&
      !console_.confirm(
          fmt::format("{}: this destroys or replaces a slot. Continue?", request.display())))
    return finish(op, ExitCode::Refused, "not confirmed; nothing changed",
                  "pass --yes to skip the question");
  if (auto refusal = hooks_.before(plan, op.record))  // pre-*: may stop us, nothing changed yet
    return finish(op, refusal->code, refusal->message, refusal->hint);
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
                          color_name(other(color)), color_name(other(color)))
            : fmt::format("`xdeploy ~{}` replaces it", color_name(color));
    console_.warn(fmt::format("{} runs build {:.12} but the current build is {:.12}; {}",
                              color_name(color), slot.build, *state.current_build, how));
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
                      color_name(step.color)));
    }
    if (step.kind == StepKind::VerifyActive) say("     read the state back");
    if (!is_mutating(step.kind)) continue;
    for (const auto& line : backend_.describe(step, op.current)) say("     " + line);
    if (!first_mutating) continue;
    first_mutating = false;
    // Only the first step can be planned now: later ones depend on it.
    const auto t = Clock::now();
    auto outcome = backend_.run(step, op.current, /*dry_run=*/true);
    op.record.steps.push_back({step.id(), step.describe(),
                               outcome.ok() ? "ok" : result_name(to_int(outcome.code)),
                               outcome.message, since(t), outcome.commands});
    if (!outcome.ok()) return finish(op, outcome.code, outcome.message, outcome.hint);
    console_.info(fmt::format("    {}", outcome.message));
  }
  op.record.to = plan.to;
  return finish(op, ExitCode::Ok, "dry run: nothing was changed");
}

int VerbRunner::run_plan(Operation& op, const Plan& plan) {
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& step = plan.steps[i];
    const Step* next = i + 1 < plan.steps.size() ? &plan.steps[i + 1] : nullptr;
    if (interrupted())
      return finish(
          op, ExitCode::Interrupted, fmt::format("interrupted before: {}", step.describe()),
          "`xdeploy status` shows where things stand; run the same command again to continue");
    std::string message, hint;
    // A gate right before the move it guards: plan the move while the gate polls.
    const bool overlap = step.kind == StepKind::HealthGate && next &&
                         next->kind == StepKind::SwitchTraffic && next->color == step.color &&
                         backend_.can_prepare(*next);
    const ExitCode code = overlap ? gate_while_preparing(op, step, *next, message, hint)
                                  : run_step(op, step, message, hint);
    if (code != ExitCode::Ok) return finish(op, code, message, hint);
  }
  if (std::string message, hint; !confirm_goal(op, plan, message, hint))
    return finish(op, ExitCode::Failed, message, hint);
  return finish(op, ExitCode::Ok,
                fmt::format("{}: {}", plan.request.display(), op.current.describe()));
}

ExitCode VerbRunner::run_step(Operation& op, const Step& step, std::string& message,
                              std::string& hint) {
  console_.info(fmt::format("--> {}", step.describe()));
  switch (step.kind) {
    case StepKind::HealthGate:
      return health_gate(op, step, message, hint);
    case StepKind::VerifyActive:
      return verify_active(op, step, message, hint);
    case StepKind::SwitchTraffic:
      return switch_traffic(op, step, message, hint);
    default:
      return backend_step(op, step, message, hint);
  }
}

// The promote's critical path: the gate runs while the move is planned (plan -json, read and
// checked, on another thread), and only the apply waits for the gate. No refresh precedes
// them: the gate tries the recorded address first (it checks the slot's identity, so a stale
// address cannot pass), and if that does not answer as the slot, the fresh address comes
// from the move's own plan, whose refresh read it anyway. The attestation is in that plan
// before the gate has ended; that is safe because the saved plan is xdeploy's own, applied
// only after the gate passed and deleted when it did not.
ExitCode VerbRunner::gate_while_preparing(Operation& op, const Step& gate, const Step& move,
                                          std::string& message, std::string& hint) {
  console_.info(fmt::format("--> {} (planning the move meanwhile)", gate.describe()));
  std::future<StepOutcome> planning;
  std::optional<StepOutcome> prepared;
  const Deployment from = op.current;
  bool needed_the_plan = false;
  auto wait_for_plan = [&]() -> std::optional<ClusterState> {
    needed_the_plan = true;
    if (!prepared && planning.valid()) prepared = planning.get();
    if (!prepared || !prepared->ok()) return std::nullopt;  // the plan says why, below
    return prepared->refreshed;
  };
  const ExitCode code = health_gate(
      op, gate, message, hint,
      [&] {
        planning = std::async(std::launch::async,
                              [this, move, from] { return backend_.prepare(move, from); });
      },
      wait_for_plan);
  if (!prepared && planning.valid()) prepared = planning.get();
  if (!prepared) return code;
  if (code != ExitCode::Ok) {
    backend_.discard(move);
    if (needed_the_plan && !prepared->ok()) {
      // The gate needed the plan's fresh address and the plan failed or was refused (e.g. its
      // refresh found the slot gone): that is the reason, with the plan's own exit code.
      op.record.steps.push_back({move.id(), move.describe(), result_name(to_int(prepared->code)),
                                 prepared->message, Millis{0}, prepared->commands});
      message = prepared->message;
      hint = prepared->hint;
      return prepared->code;
    }
    return code;
  }
  op.prepared = std::move(prepared);
  return ExitCode::Ok;
}

ExitCode VerbRunner::backend_step(Operation& op, const Step& step, std::string& message,
                                  std::string& hint) {
  const auto t = Clock::now();
  std::optional<StepOutcome> prepared = std::exchange(op.prepared, std::nullopt);
  auto outcome = prepared ? backend_.commit(step, std::move(*prepared))
                          : backend_.run(step, op.current, false);
  op.record.steps.push_back({step.id(), step.describe(),
                             outcome.ok() ? "ok" : result_name(to_int(outcome.code)),
                             outcome.message, since(t), outcome.commands});
  if (!outcome.ok()) {
    message = outcome.message;
    hint = outcome.hint;
    op.stale = true;  // a failed apply may have done part of the work
    return outcome.code;
  }
  if (!outcome.message.empty()) console_.detail("    " + outcome.message);
  op.current = step.target;
  op.stale = true;
  return ExitCode::Ok;
}

ExitCode VerbRunner::switch_traffic(Operation& op, const Step& step, std::string& message,
                                    std::string& hint) {
  const Deployment before = op.current;
  std::optional<DowntimeProber> prober;
  // Only a real swap is measured: a first attach, or re-attaching prod to itself after a
  // forced replace, has no previous color that served.
  const bool swap = before.active && *before.active != step.color;
  if (swap && options_.probe.enabled && op.state.public_health_url) {
    ProbeConfig config;
    config.url = *op.state.public_health_url;
    config.expect = step.color;
    config.period = options_.probe.period;
    config.timeout = options_.probe.timeout;
    config.deadline = options_.probe.deadline;
    config.consecutive_needed = options_.probe.successes;
    config.insecure = options_.health.insecure;
    config.ca_file = options_.health.ca_file;
    config.server_name = options_.health.server_name;
    prober.emplace(config);
    prober->start();
    prober->mark_switch();
  }
  const ExitCode code = backend_step(op, step, message, hint);
  if (prober && code != ExitCode::Ok) op.record.probe = prober->stop_now();
  if (code != ExitCode::Ok && swap)
    return after_failed_move(op, step, *before.active, code, message, hint);
  if (!prober) return code;
  console_.info(fmt::format("    watching {} until {} answers", *op.state.public_health_url,
                            color_name(step.color)));
  op.record.probe = prober->wait_and_stop();
  console_.info("    " + op.record.probe->one_line());
  if (op.record.probe->new_color_served) return ExitCode::Ok;
  if (interrupted()) {
    message = "interrupted while watching the public endpoint";
    return ExitCode::Interrupted;
  }
  message =
      fmt::format("{} never served on the public endpoint {} within {}", color_name(step.color),
                  *op.state.public_health_url, format_duration(options_.probe.deadline));
  if (!options_.probe.auto_rollback || !before.active) {
    hint = before.active
               ? fmt::format("left as is (--no-auto-rollback); `xdeploy rollback` returns to {}",
                             color_name(*before.active))
               : "there is no previous color to return to; check the slot and the static IP";
    return ExitCode::RolledBack;
  }
  return auto_rollback(op, *before.active, message, hint);
}

ExitCode VerbRunner::auto_rollback(Operation& op, Color back_to, std::string& message,
                                   std::string& hint) {
  console_.warn(fmt::format("{}; rolling back to {}", message, color_name(back_to)));
  const Deployment to{back_to, other(back_to)};
  const std::vector<Step> steps{Step{StepKind::HealthGate, back_to, op.current},
                                Step{StepKind::SwitchTraffic, back_to, to},
                                Step{StepKind::VerifyActive, back_to, to}};
  // Not run_step(): the way back moves the IP without a prober, so a rollback
  // can never trigger another rollback.
  for (const auto& step : steps) {
    std::string m, h;
    console_.info(fmt::format("--> rollback: {}", step.describe()));
    ExitCode code = ExitCode::Ok;
    if (step.kind == StepKind::HealthGate)
      code = health_gate(op, step, m, h);
    else if (step.kind == StepKind::VerifyActive)
      code = verify_active(op, step, m, h);
    else
      code = backend_step(op, step, m, h);
    if (code != ExitCode::Ok) {
      message +=
          fmt::format("; the automatic rollback to {} FAILED too: {}", color_name(back_to), m);
      hint = "run `xdeploy status` and act by hand; nothing else will be tried";
      return ExitCode::Failed;
    }
  }
  message += fmt::format("; rolled back: {} is active again", color_name(back_to));
  hint = "check the new slot's logs; fix it with `xdeploy ~<color>` and promote again";
  return ExitCode::RolledBack;
}

namespace {

std::string no_slot_hint(Color moving_to, Color served) {
  return fmt::format(
      "nothing serves the public address. `xdeploy promote {}` puts the static IP back on {} "
      "(it served until now); `xdeploy promote {}` tries {} again",
      color_name(served), color_name(served), color_name(moving_to), color_name(moving_to));
}

}  // namespace

// A failed move can stop between its two halves: Lightsail detaches the IP from the old
// slot, then the attach to the new one fails (real Terraform replaces the attachment:
// destroy, then create). Prod is then down, and a generic "apply failed" hides it. So the
// state is read back at once; if the IP is on no slot, it is said plainly, and (unless
// --no-auto-rollback, or the user interrupted) the IP goes back to the color that served
// until now, through its own health gate like any move: that slot was only detached, never
// changed, and bringing prod back is what the person who asked for the promote wants
// first. That is a rollback (exit 6); if it fails too, exit 1 names both ways out.
ExitCode VerbRunner::after_failed_move(Operation& op, const Step& move, Color back_to,
                                       ExitCode code, std::string& message, std::string& hint) {
  StepRecord record{"settle", "read the state back after the failed move", "ok", "", {}, {}};
  const auto t = Clock::now();
  std::string error, ignored;
  const bool read = refresh_state(op, {}, record, error, ignored);
  record.duration = since(t);
  if (!read) record.result = "failed";
  op.record.steps.push_back(record);
  if (!read) return code;  // finish() says the state could not be read back
  op.current = op.state.deployment;
  op.record.to = op.current;
  if (op.current.active) {  // the IP is still on a slot: say which, as finish() would have
    message += fmt::format("\nnow: {}", op.current.describe());
    return code;
  }
  message += fmt::format("\nthe static IP is attached to no slot ({})", op.current.describe());
  hint = no_slot_hint(move.color, back_to);
  if (code == ExitCode::Interrupted || interrupted() || !options_.probe.auto_rollback ||
      !op.current.has(back_to))
    return code;
  const ExitCode back = auto_rollback(op, back_to, message, hint);
  // Not auto_rollback's "check the new slot": the move failed, not the slot.
  hint = back == ExitCode::RolledBack
             ? fmt::format(
                   "moving the static IP to {} failed (the error above); once that is "
                   "fixed, `xdeploy promote {}` tries again",
                   color_name(move.color), color_name(move.color))
             : no_slot_hint(move.color, back_to);
  return back;
}

// Every mutating verb ends by reading the state back: an apply that exited 0
// having done nothing must not be reported as done. A verb whose last step
// moved the IP already has it (the move's address refresh: its outputs are the
// state); the others read the outputs once.
bool VerbRunner::confirm_goal(Operation& op, const Plan& plan, std::string& message,
                              std::string& hint) {
  if (!op.stale) return true;  // the last step (verify) already read it back
  StepRecord record{"confirm", "read the state back", "ok", "", {}, {}};
  const auto t = Clock::now();
  const bool read = refresh_state(op, {}, record, message, hint);
  record.duration = since(t);
  if (read) {
    op.current = op.state.deployment;
    op.record.to = op.current;
  }
  if (read && op.state.deployment == plan.to) {
    op.record.steps.push_back(record);
    return true;
  }
  record.result = "failed";
  op.record.steps.push_back(record);
  if (read)
    message = fmt::format("after the change the backend reports {}, expected {}",
                          op.state.deployment.describe(), plan.to.describe());
  hint = "run `xdeploy status`; the same command can be run again";
  return false;
}

// After a failed or interrupted step, what history records as the end state
// is read again (the backend reads it in a way that cannot be stale), never
// assumed from the step that did not finish.
void VerbRunner::settle_final_state(Operation& op, std::string& message) {
  StepRecord ignored;
  std::string error, ignored_hint;
  // A plain read: the backend checks outputs against the state after an unfinished apply
  // (Terraform: output + state pull, both read-only; nothing is applied after a failure).
  if (refresh_state(op, {}, ignored, error, ignored_hint)) {
    op.current = op.state.deployment;
    op.record.to = op.current;
    message += fmt::format("\nnow: {}", op.current.describe());
  } else {
    op.record.to.reset();  // unknown: better nothing than a stale color
    message += fmt::format("\nthe state could not be read back ({})", error);
  }
}

// The state with fresh addresses for `colors` (Terraform: a targeted refresh-only apply,
// whose outputs are the whole state; other backends: a read).
bool VerbRunner::refresh_state(Operation& op, const std::vector<Color>& colors, StepRecord& record,
                               std::string& message, std::string& hint) {
  auto state = backend_.refresh_state(op.current, colors);
  record.commands.insert(record.commands.end(), state.commands.begin(), state.commands.end());
  if (!state.ok()) {
    message = state.error;
    hint = state.hint;  // e.g. a held state lock: its ID and the force-unlock command
    last_refresh_code_ = state.code;  // Refused (4) when the refresh would drop objects
    return false;
  }
  op.state = *state.value;
  op.stale = false;
  return true;
}

bool VerbRunner::answers_as(const std::string& url, Color color) const {
  if (url.empty()) return false;
  HttpOptions http;
  http.timeout = options_.health.request_timeout;
  http.insecure = options_.health.insecure;
  http.ca_file = options_.health.ca_file;
  http.server_name = options_.health.server_name;
  const HealthExpectation expect{options_.health.status, options_.health.body_contains, color};
  return judge_health(http_get(url, http), expect).empty();
}

// Never gate through an address that does not answer as the slot: on Lightsail a slot's
// address changes on every static IP attach/detach (and on a stop/start outside Terraform).
// The recorded one is tried once; if it is unknown or answers as something else, the fresh
// one comes from `fresh` (the move's own plan) or, without one, from a checked refresh.
bool VerbRunner::gate_address(Operation& op, const Step& step, StepRecord& record,
                              std::string& message, std::string& hint,
                              const std::function<std::optional<ClusterState>()>& fresh,
                              ExitCode& code) {
  const SlotInfo* slot = op.state.slot(step.color);
  if (slot && !slot->address_unknown && answers_as(slot->health_url, step.color)) return true;
  console_.detail(fmt::format("    {}'s recorded address {}: reading it fresh",
                              color_name(step.color),
                              slot && !slot->address_unknown && !slot->health_url.empty()
                                  ? "does not answer as " + color_name(step.color)
                                  : "is unknown (the static IP left it since the last refresh)"));
  if (fresh) {
    if (auto state = fresh()) {
      op.state = std::move(*state);
      return true;
    }
    message = "the move's plan could not read the slot's address";
    code = ExitCode::Failed;  // the caller has the plan's own reason
    return false;
  }
  if (refresh_state(op, {step.color}, record, message, hint)) return true;
  code = last_refresh_code_;
  return false;
}

ExitCode VerbRunner::health_gate(Operation& op, const Step& step, std::string& message,
                                 std::string& hint, const std::function<void()>& once_fresh,
                                 const std::function<std::optional<ClusterState>()>& fresh) {
  StepRecord record{step.id(), step.describe(), "ok", "", {}, {}};
  const auto t = Clock::now();
  // An earlier step of this run changed the state: read it again (cheap, no refresh).
  if (op.stale && !refresh_state(op, {}, record, message, hint)) {
    record.result = "failed";
    op.record.steps.push_back(record);
    return last_refresh_code_;
  }
  if (const SlotInfo* s = op.state.slot(step.color); s && !s->broken.empty()) {
    record.result = "refused";
    op.record.steps.push_back(record);
    message = fmt::format("refused: {} is half-built ({}); the static IP was not moved",
                          color_name(step.color), s->broken);
    hint = fmt::format("`xdeploy ~{}` re-creates it", color_name(step.color));
    return ExitCode::Refused;
  }
  if (once_fresh) once_fresh();
  ExitCode failed = ExitCode::Failed;
  if (!gate_address(op, step, record, message, hint, fresh, failed)) {
    record.result = "failed";
    op.record.steps.push_back(record);
    return failed;
  }
  const SlotInfo* slot = op.state.slot(step.color);
  if (!slot || slot->health_url.empty()) {
    record.result = "failed";
    op.record.steps.push_back(record);
    message = fmt::format("{} has no known address in the state", color_name(step.color));
    hint = "`xdeploy status --refresh` reads the slots' addresses";
    return ExitCode::Failed;
  }
  if (slot->liveness == SlotLiveness::Crashed) {
    record.result = "health_failed";
    op.record.steps.push_back(record);
    message = fmt::format("{} is not running (its process exited); the static IP was not moved",
                          color_name(step.color));
    hint = fmt::format("see its log, then `xdeploy ~{}`", color_name(step.color));
    return ExitCode::HealthFailed;
  }
  const HealthExpectation expect{options_.health.status, options_.health.body_contains, step.color};
  const GatePolicy policy{options_.health.request_timeout, options_.health.interval,
                          options_.health.timeout,         options_.health.insecure,
                          options_.health.ca_file,         options_.health.server_name};
  console_.detail(fmt::format("    GET {} until {} answers as {}", slot->health_url,
                              options_.health.status, color_name(step.color)));
  std::string shown_verdict;
  auto result = run_health_gate(slot->health_url, expect, policy, [&](const GateAttempt& a) {
    const std::string verdict = a.verdict.empty() ? "healthy" : a.verdict;
    if (!console_.rewrites_progress() && !worth_a_log_line(a.number, verdict, shown_verdict))
      return;
    shown_verdict = verdict;
    console_.progress(
        fmt::format("    attempt {} at {}: {}", a.number, format_duration(a.at), verdict));
  });
  console_.end_progress();
  op.record.gates.push_back({color_name(step.color), slot->health_url, result});
  record.duration = since(t);
  if (result.passed) {
    op.record.steps.push_back(record);
    console_.detail(fmt::format("    {} is healthy after {} attempt(s)", color_name(step.color),
                                result.attempts));
    return ExitCode::Ok;
  }
  if (result.interrupted) {
    record.result = "interrupted";
    op.record.steps.push_back(record);
    message = "interrupted during the health gate; nothing was moved";
    return ExitCode::Interrupted;
  }
  std::string attempts;
  for (const auto& a : result.last_attempts)
    attempts += fmt::format("\n  attempt {} at {}: {}", a.number, format_duration(a.at), a.verdict);
  if (!result.last_body.empty()) attempts += fmt::format("\n  last body: {}", result.last_body);
  record.result = "health_failed";
  op.record.steps.push_back(record);
  message = fmt::format(
      "{} failed its health gate ({} attempts in {}); the static IP was not "
      "moved{}",
      color_name(step.color), result.attempts, format_duration(result.elapsed), attempts);
  hint = fmt::format("check {} ({}), fix it with `xdeploy ~{}`, then run the command again",
                     color_name(step.color), slot->health_url, color_name(step.color));
  return ExitCode::HealthFailed;
}

ExitCode VerbRunner::verify_active(Operation& op, const Step& step, std::string& message,
                                   std::string& hint) {
  StepRecord record{step.id(), step.describe(), "ok", "", {}, {}};
  const auto t = Clock::now();
  // Read back, not refreshed: the state the move's apply wrote says who holds the static IP
  // (its new holder answers on it); the old holder's new address is recorded as unknown
  // until something reads it (`status --refresh`, or the next gate on it).
  if (op.stale && !refresh_state(op, {}, record, message, hint)) {
    record.result = "failed";
    op.record.steps.push_back(record);
    return last_refresh_code_;
  }
  record.duration = since(t);
  op.current = op.state.deployment;
  op.record.to = op.current;
  if (op.state.deployment.active != step.color) {
    record.result = "failed";
    op.record.steps.push_back(record);
    message = fmt::format("after the change the backend reports {}, expected {} active",
                          op.state.deployment.describe(), color_name(step.color));
    hint = "run `xdeploy status`; the same command can be run again";
    return ExitCode::Failed;
  }
  op.record.steps.push_back(record);
  return ExitCode::Ok;
}

}  // namespace xd
