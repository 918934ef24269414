#include "terraform_backend.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <system_error>
#include <thread>

#include <nlohmann/json.hpp>

#include "artifact_build.h"
#include "move_budget.h"
#include "outputs_parser.h"
#include "plan_file_guard.h"
#include "state_json.h"
#include "state_lock.h"
#include "state_pull.h"
#include "state_reader.h"
#include "step_scope.h"
#include "terraform_addresses.h"
#include "xdeploy/core/ansi_text.h"
#include "xdeploy/core/change_guard.h"
#include "xdeploy/core/duration.h"
#include "xdeploy/process/interrupts.h"

namespace xd {

namespace fs = std::filesystem;

TerraformBackend::TerraformBackend(TerraformSettings settings, CommandRunner& runner,
                                   TerraformSink sink)
    : commands_(std::move(settings)), runner_(runner), sink_(std::move(sink)) {}

std::unique_ptr<Backend> make_terraform_backend(TerraformSettings settings, CommandRunner& runner,
                                                TerraformSink sink) {
  return std::make_unique<TerraformBackend>(std::move(settings), runner, std::move(sink));
}

TerraformBackend::Call TerraformBackend::call(const std::string& label,
                                              const std::vector<std::string>& argv,
                                              const TerraformCall& options) {
  ProcessSpec spec;
  spec.argv = argv;
  // TF_IN_AUTOMATION: Terraform stops suggesting next commands; xdeploy does that.
  spec.env = {{"TF_IN_AUTOMATION", "1"}};
  // Its output is kept in unnamed files here (0600, in the 0700 dir): it can describe the
  // infrastructure, and files outlive a killed xdeploy where pipes would break under Terraform.
  spec.output_dir = state_dir();
  spec.interrupt_when = options.interrupt_when;
  spec.interrupts_acknowledged = options.interrupts_acknowledged;
  const std::string display = display_command(redact_secrets(argv));
  int pid = 0;
  if (lock_.fd >= 0) {
    // Terraform holds the deploy lock with us: if xdeploy dies, it still excludes other runs.
    spec.inherit_fds = {lock_.fd};
    spec.on_started = [&](int started) {
      pid = started;
      if (lock_.child_started) lock_.child_started(pid, display);
    };
  }
  auto on_stdout = [&](std::string_view line) {
    if (options.mode == TerraformCall::Stdout::Hidden) return;
    if (options.on_line) options.on_line(line);
    if (options.mode == TerraformCall::Stdout::Echo) return emit(label, line, false);
    // The -json UI: one object per line. People see each @message.
    const auto event = nlohmann::json::parse(line, nullptr, false);
    if (!event.is_object()) return emit(label, line, false);
    const auto message = event.value("@message", std::string());
    if (!message.empty()) emit(label, message, event.value("@level", "") == "error");
  };
  auto result =
      runner_.run(spec, on_stdout, [&](std::string_view line) { sink_(label, line, true); });
  if (pid > 0 && lock_.child_ended) lock_.child_ended(pid);
  CommandRecord record{display, result.started ? result.exit_code : 127, result.duration};
  return {std::move(result), std::move(record)};
}

void TerraformBackend::share_lock(LockShare share) {
  lock_ = std::move(share);
}

std::string TerraformBackend::state_dir() const {
  return (fs::path(commands_.settings().chdir) / ".xdeploy").string();
}

void TerraformBackend::emit(std::string_view step, std::string_view line, bool is_stderr) {
  if (hold_lines_)
    held_lines_.emplace_back(std::string(step), std::string(line), is_stderr);
  else
    sink_(step, line, is_stderr);
}

void TerraformBackend::flush_held_lines() {
  hold_lines_ = false;
  for (const auto& [step, line, is_stderr] : held_lines_) sink_(step, line, is_stderr);
  held_lines_.clear();
}

StepOutcome TerraformBackend::prepare(const Step& step, const Deployment& from) {
  hold_lines_ = true;  // the gate owns the console meanwhile; replayed by commit/discard
  hold_plan_ = true;
  auto outcome = run(step, from, false);
  hold_plan_ = false;
  return outcome;
}

StepOutcome TerraformBackend::commit(const Step& step, StepOutcome prepared) {
  flush_held_lines();
  auto held = held_plans_.extract(step.id());
  if (held.empty()) return prepared;  // failed, refused, or nothing to do
  // `held` owns the plan's guard: the file is removed when this returns, applied or not.
  if (!prepared.ok()) return prepared;
  return apply_saved_plan(step, held.mapped().file, std::move(prepared));
}

void TerraformBackend::discard(const Step& step) {
  flush_held_lines();
  held_plans_.erase(step.id());  // its guard removes the plan file
}

bool TerraformBackend::initialized() const {
  const char* data_dir = std::getenv("TF_DATA_DIR");
  fs::path dir = data_dir && *data_dir ? fs::path(data_dir) : fs::path(".terraform");
  if (dir.is_relative()) dir = fs::path(commands_.settings().chdir) / dir;
  std::error_code ec;
  return fs::is_directory(dir, ec);
}

StepOutcome failure(ExitCode code, std::string message, std::string hint) {
  StepOutcome o;
  o.code = code;
  o.message = std::move(message);
  o.hint = std::move(hint);
  return o;
}

ExitCode classify(const ProcessResult& r) {
  if (r.interrupts_forwarded > 0 || interrupted()) return ExitCode::Interrupted;
  return ExitCode::Failed;
}

std::string not_started_message(const ProcessResult& r, const std::string& binary) {
  return fmt::format("{} (set --terraform or XDEPLOY_TERRAFORM to the terraform or tofu binary)",
                     r.error.empty() ? "cannot run " + binary : r.error);
}

namespace {

std::string error_summary_of(const std::string& stderr_text, const std::string& stdout_text) {
  const std::string& text =
      stderr_text.find("Error") != std::string::npos ? stderr_text : stdout_text;
  auto at = text.rfind("Error: ");
  if (at == std::string::npos) {
    // No diagnostic: the last non-empty line is the best we have.
    auto end = text.find_last_not_of(" \n\r\t");
    if (end == std::string::npos) return "";
    auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
  }
  std::string summary;
  // The summary line plus the first detail line, folded.
  auto line_end = text.find('\n', at);
  summary = text.substr(at, line_end - at);
  if (line_end != std::string::npos) {
    auto detail_start = text.find_first_not_of("\n ", line_end);
    if (detail_start != std::string::npos) {
      auto detail_end = text.find('\n', detail_start);
      summary += ": " + text.substr(detail_start, detail_end - detail_start);
    }
  }
  return summary;
}

// "Apply complete! Resources: 0 added, 0 changed, 0 destroyed." after a plan
// with resource changes: Terraform exited 0 having done nothing.
bool applied_nothing(const std::string& stdout_text) {
  return stdout_text.find("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.") !=
         std::string::npos;
}

}  // namespace

std::string terraform_error_summary(const std::string& stderr_text,
                                    const std::string& stdout_text) {
  return strip_ansi(error_summary_of(stderr_text, stdout_text));
}

// A held state lock (often left by a killed Terraform) gets its ID and the
// exact force-unlock command instead of Terraform's generic advice.
void TerraformBackend::explain_state_lock(StepOutcome& outcome, const ProcessResult& r) const {
  auto lock = parse_state_lock_error(r.stderr_text + "\n" + r.stdout_text);
  if (!lock) return;
  outcome.message = state_lock_message(*lock);
  outcome.hint = state_lock_hint(*lock, commands_.settings().binary, commands_.settings().chdir);
}

std::optional<StepOutcome> TerraformBackend::ensure_init() {
  if (init_checked_ || initialized()) {
    init_checked_ = true;
    return std::nullopt;
  }
  auto c = call("init", commands_.init());
  StepOutcome o;
  o.commands.push_back(c.record);
  if (!c.result.started)
    return failure(ExitCode::Failed, not_started_message(c.result, commands_.settings().binary));
  if (c.result.exit_code != 0) {
    o.code = classify(c.result);
    o.message = fmt::format("terraform init failed (exit {}): {}", c.result.exit_code,
                            terraform_error_summary(c.result.stderr_text, c.result.stdout_text));
    o.hint = "fix the error above, then run the same xdeploy command again";
    return o;
  }
  init_checked_ = true;
  return std::nullopt;
}

std::string TerraformBackend::plan_file_for(const Step& step) const {
  // Relative to -chdir, like every path Terraform receives.
  return fmt::format(".xdeploy/plans/{}.tfplan", step.id());
}

// What each step's plan touches (terraform/README.md, "The commands each xdeploy verb runs").
TerraformCommands::PlanScope TerraformBackend::plan_scope(const Step& step) {
  TerraformCommands::PlanScope scope;
  switch (step.kind) {
    case StepKind::Bootstrap:
      // Create the slot and the static IP, attach nothing: the IP is attached by the
      // SwitchTraffic step, once the slot passed the native gate at its own address.
      // The shared claims bucket AND its access block: -target pulls in the bucket (a
      // dependency of the slot) but not the block, which the SwitchTraffic plan would
      // then create and the guard refuse (real Terraform, first `xdeploy blue`: exit 4).
      scope.targets = {slot_address(step.color), kStaticIpAddress, kClaimsBucket,
                       kClaimsBucketAccess};
      break;
    case StepKind::ReplaceSlot:
      scope.replace = slot_instance_address(step.color);
      // Replacing prod (--force): only the slot; the IP is re-attached after the gate.
      if (step.touches_active) scope.targets = {slot_address(step.color)};
      break;
    case StepKind::SwitchTraffic:
      // The attestation: the planner puts a HealthGate on this color before every move.
      scope.verified = step.color;
      // Only the move and what it reads (both slots' instances, the static IP): real
      // Terraform 1.11 then refreshes 77 objects instead of 238 (terraform/README.md).
      scope.targets = {kUpgradeModule};
      break;
    default:
      break;
  }
  return scope;
}

std::vector<std::string> TerraformBackend::describe(const Step& step, const Deployment&) const {
  const auto plan_file = plan_file_for(step);
  return {display_command(redact_secrets(commands_.plan(step.target, plan_scope(step), plan_file))),
          fmt::format("(check the plan from its -json stream and its saved file: {} may only "
                      "change its own resources, and its refresh may drop nothing)",
                      step.id()),
          display_command(commands_.apply_plan(plan_file))};
}

namespace {

// Lightsail answers NotFound for a few seconds after it created an instance (eventual
// consistency): the provider's read right after CreateInstances fails and leaves the
// instance tainted, with its firewall never applied. The aws provider 5.x words that read
// as "reading AWS Lightsail Instance (NAME): couldn't find resource" (its empty-result
// error), older ones pass Lightsail's own NotFoundException through.
bool not_found_right_after_create(const Step& step, const StepOutcome& o) {
  const bool creates = step.kind == StepKind::CreateSlot || step.kind == StepKind::ReplaceSlot ||
                       step.kind == StepKind::Bootstrap;
  const bool not_found = o.message.find("NotFoundException") != std::string::npos ||
                         (o.message.find("reading AWS Lightsail Instance") != std::string::npos &&
                          o.message.find("couldn't find resource") != std::string::npos);
  return creates && o.code == ExitCode::Failed && !interrupted() && not_found;
}

}  // namespace

StepOutcome TerraformBackend::run(const Step& step, const Deployment& from, bool dry_run) {
  if (auto failed = ensure_init()) return *failed;
  const auto plan_file = plan_file_for(step);
  prepare_plans_dir();
  // Removes the plan file however this step ends: it holds the state and the variables.
  auto outcome = [&] {
    PlanFileGuard plan_guard(fs::path(commands_.settings().chdir) / plan_file);
    auto plan = make_plan(step.id(), commands_.plan(step.target, plan_scope(step), plan_file),
                          plan_file, "plan");
    plan_guard.restrict();
    return guard_and_apply(step, from, dry_run, plan_file, plan_guard, std::move(plan));
  }();
  if (dry_run || hold_plan_ || !not_found_right_after_create(step, outcome)) return outcome;
  // One bounded retry: the half-built slot is re-created through a new checked plan (a
  // replace of its own instance, never anything else).
  emit(step.id(),
       fmt::format("Lightsail did not find the instance it had just created (eventual "
                   "consistency): retrying once in {}",
                   go_duration(commands_.settings().consistency_wait)),
       false);
  std::this_thread::sleep_for(commands_.settings().consistency_wait);
  Step retry = step;
  if (retry.kind == StepKind::CreateSlot) retry.kind = StepKind::ReplaceSlot;
  auto second = run(retry, from, false);
  second.commands.insert(second.commands.begin(), outcome.commands.begin(), outcome.commands.end());
  return second;
}

void TerraformBackend::prepare_plans_dir() const {
  const fs::path state_dir = fs::path(commands_.settings().chdir) / ".xdeploy";
  std::error_code ec;
  fs::create_directories(state_dir / "plans", ec);
  // Plan files hold the whole state and every variable: only we may enter.
  for (const auto& dir : {state_dir, state_dir / "plans"})
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
}

StepOutcome TerraformBackend::guard_and_apply(const Step& step, const Deployment& from,
                                              bool dry_run, const std::string& plan_file,
                                              PlanFileGuard& plan_guard, CheckedPlan plan) {
  StepOutcome outcome = std::move(plan.outcome);
  if (!outcome.ok()) return outcome;
  if (auto refused = refuse_drops(*plan.states, &step, from)) {
    refused->commands = outcome.commands;
    return *refused;
  }
  if (auto fresh = state_from(plan.states->refreshed, "the plan's refreshed state"); fresh.ok())
    outcome.refreshed = std::move(fresh.value);
  if (plan.exit_code == 0) {
    outcome.message = "no changes: Terraform already matches";
    return outcome;
  }
  emit(step.id(),
       fmt::format("(plan read from its -json stream: {} resource change(s), {} output "
                   "change(s), counts checked against its summary)",
                   plan.stream.changes.size(), plan.stream.output_changes),
       false);
  auto violations = check_changes(allowed_scope(step, from), plan.stream.changes, step, from);
  if (!violations.empty()) {
    std::string list;
    for (const auto& v : violations)
      list += fmt::format("\n  {} {} ({})", v.action, v.address, v.why);
    outcome.code = ExitCode::Refused;
    outcome.message =
        fmt::format("refused: the plan for `{}` would also change:{}", step.describe(), list);
    outcome.hint = fmt::format(
        "nothing was applied. The configuration or the infrastructure drifted; inspect with "
        "`terraform -chdir={} plan -var=deploy={}`, fix it, then run the same xdeploy command "
        "again",
        commands_.settings().chdir, step.target.to_deploy_var());
    return outcome;
  }
  if (!changes_resources(plan.stream.changes)) {
    // Exit 2 for output-only changes (facts §0): there is nothing to apply.
    outcome.message = fmt::format(
        "nothing to apply: the plan changes no resource (only {} output(s)); not applied",
        plan.stream.output_changes);
    return outcome;
  }
  if (dry_run) {
    outcome.message = "dry run: the plan is within the step's scope; nothing applied";
    return outcome;
  }
  if (hold_plan_) {  // prepare(): applied by commit() once the app says so, else discarded
    held_plans_.erase(step.id());
    held_plans_.emplace(step.id(), HeldPlan{plan_file, std::move(plan_guard)});
    return outcome;
  }
  return apply_saved_plan(step, plan_file, std::move(outcome));
}

StepOutcome TerraformBackend::apply_saved_plan(const Step& step, const std::string& plan_file,
                                               StepOutcome outcome, bool changes) {
  // A Ctrl-C (or --timeout) since the plan: nothing is applied. One that lands after this
  // look is forwarded to the apply the moment it starts (interrupts_acknowledged): it can
  // never fall between the two and leave an apply running that nobody asked to stop.
  const int acknowledged = interrupt_count();
  if (acknowledged > 0) {
    outcome.code = ExitCode::Interrupted;
    outcome.message = "interrupted before the apply: nothing was applied";
    outcome.hint = "run the same xdeploy command again";
    return outcome;
  }
  auto options = TerraformCall::echo();
  options.interrupts_acknowledged = acknowledged;
  // The IP move keeps prod dark from its detach to its attach: bounded, from the detach (a
  // first attach detaches nothing, and the provider's start before it darkens nothing), with
  // the way back's time reserved out of --move-deadline (move_budget.h).
  auto allowance = std::make_shared<std::chrono::milliseconds>(0);
  if (step.kind == StepKind::SwitchTraffic) {
    using Clock = std::chrono::steady_clock;
    auto detached_at = std::make_shared<std::optional<Clock::time_point>>();
    MoveBudget budget{commands_.settings().move_deadline, std::chrono::milliseconds{0},
                      std::chrono::milliseconds{0}};
    for (const auto& c : outcome.commands) budget.plan_took += c.duration;
    options.on_line = [detached_at, allowance, budget,
                       started = Clock::now()](std::string_view line) mutable {
      if (*detached_at || line.find(kAttachmentAddress) == std::string_view::npos ||
          line.find("Destroying...") == std::string_view::npos)
        return;
      *detached_at = Clock::now();
      budget.apply_to_detach =
          std::chrono::duration_cast<std::chrono::milliseconds>(**detached_at - started);
      *allowance = attach_allowance(budget);
    };
    options.interrupt_when = [detached_at, allowance] {
      return detached_at->has_value() && Clock::now() - **detached_at >= *allowance;
    };
  }
  auto apply = call(step.id(), commands_.apply_plan(plan_file), options);
  outcome.commands.push_back(apply.record);
  if (!apply.result.started) {
    outcome.code = ExitCode::Failed;
    outcome.message = not_started_message(apply.result, commands_.settings().binary);
    outcome.hint = "nothing was applied";
    return outcome;
  }
  if (apply.result.deadline_passed && apply.result.exit_code != 0) {
    outcome.code = ExitCode::Failed;
    outcome.deadline_passed = true;
    outcome.message = fmt::format(
        "moving the static IP did not finish within {} of the detach (--move-deadline {}, "
        "less {} kept for the way back): Terraform was interrupted (one SIGINT) and saved its "
        "state",
        format_duration(*allowance), duration_literal(commands_.settings().move_deadline),
        format_duration(commands_.settings().move_deadline - *allowance));
    outcome.hint = "`xdeploy status` shows where the static IP is";
    return outcome;
  }
  if (apply.result.exit_code != 0) {
    outcome.code = classify(apply.result);
    outcome.message =
        fmt::format("terraform apply failed (exit {}): {}", apply.result.exit_code,
                    terraform_error_summary(apply.result.stderr_text, apply.result.stdout_text));
    outcome.hint =
        "Terraform saved what it did; `xdeploy status` shows the state, and the same xdeploy "
        "command can be run again";
    explain_state_lock(outcome, apply.result);
    return outcome;
  }
  if (changes && applied_nothing(apply.result.stdout_text)) {
    outcome.code = ExitCode::Failed;
    outcome.message = "terraform apply exited 0 but applied none of the planned changes";
    outcome.hint = "run `xdeploy status`, then the same xdeploy command again";
    return outcome;
  }
  return outcome;
}

}  // namespace xd
