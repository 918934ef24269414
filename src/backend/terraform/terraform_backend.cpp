#include "terraform_backend.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "artifact_build.h"
#include "outputs_parser.h"
#include "plan_file_guard.h"
#include "plan_json.h"
#include "state_json.h"
#include "state_lock.h"
#include "state_pull.h"
#include "step_scope.h"
#include "terraform_addresses.h"
#include "xdeploy/core/ansi_text.h"
#include "xdeploy/core/change_guard.h"
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
                                              const std::vector<std::string>& argv, Stdout mode,
                                              std::string* outputs) {
  ProcessSpec spec;
  spec.argv = argv;
  // TF_IN_AUTOMATION: Terraform stops suggesting next commands; xdeploy does that.
  spec.env = {{"TF_IN_AUTOMATION", "1"}};
  // Its output is kept in unnamed files here (0600, in the 0700 dir): it can describe the
  // infrastructure, and files outlive a killed xdeploy where pipes would break under Terraform.
  spec.output_dir = state_dir();
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
    if (mode == Stdout::Hidden) return;
    if (mode == Stdout::Echo) return emit(label, line, false);
    // The -json UI: one object per line. Show people the message, keep the outputs event
    // (its values are in clear: only its @message, "Outputs: N", is shown).
    const auto event = nlohmann::json::parse(line, nullptr, false);
    if (!event.is_object()) return emit(label, line, false);
    if (event.value("type", "") == "outputs" && event.contains("outputs") && outputs)
      *outputs = event["outputs"].dump();
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

namespace {

StepOutcome failure(ExitCode code, std::string message, std::string hint = {}) {
  StepOutcome o;
  o.code = code;
  o.message = std::move(message);
  o.hint = std::move(hint);
  return o;
}

// Interrupted wins over Failed: Terraform exits 1 after a Ctrl-C too.
ExitCode classify(const ProcessResult& r) {
  if (r.interrupts_forwarded > 0 || interrupted()) return ExitCode::Interrupted;
  return ExitCode::Failed;
}

std::string not_started_message(const ProcessResult& r, const std::string& binary) {
  return fmt::format("{} (set --terraform or XDEPLOY_TERRAFORM to the terraform or tofu binary)",
                     r.error.empty() ? "cannot run " + binary : r.error);
}

}  // namespace

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

Result<ClusterState> TerraformBackend::read_state() {
  Result<ClusterState> r;
  if (!fs::is_directory(commands_.settings().chdir)) {
    r.code = ExitCode::Usage;
    r.error = fmt::format("working directory \"{}\" does not exist", commands_.settings().chdir);
    r.hint = "pass -C/--chdir with the Terraform root module (default ./terraform)";
    return r;
  }
  if (auto failed = ensure_init()) {
    r.code = failed->code;
    r.error = failed->message;
    r.hint = failed->hint;
    r.commands = failed->commands;
    return r;
  }
  auto c = call("state", commands_.output_json(), Stdout::Hidden);
  r.commands.push_back(c.record);
  if (!c.result.started || c.result.exit_code != 0) {
    r.code = c.result.started ? classify(c.result) : ExitCode::Failed;
    r.error = c.result.started
                  ? fmt::format("terraform output -json failed (exit {}): {}", c.result.exit_code,
                                terraform_error_summary(c.result.stderr_text, c.result.stdout_text))
                  : not_started_message(c.result, commands_.settings().binary);
    return r;
  }
  OutputsError error;
  r.value = parse_outputs(c.result.stdout_text, &error);
  if (!r.value) {
    r.code = ExitCode::Failed;
    r.error = "cannot understand `terraform output -json`: " + error.reason;
    r.hint =
        "check that -C points at the xdeploy root module (terraform/) and its outputs match the "
        "contract";
    return r;
  }
  sink_("state",
        fmt::format("(outputs read: {}; not shown, they may hold secrets)",
                    r.value->deployment.describe()),
        false);
  use_current_artifact(*r.value);
  if (outputs_suspect()) verify_against_state(r);
  std::error_code ec;
  // Only for a mutating run, under the deploy lock (`status` stays read-only, and may run
  // while that Terraform is still finishing).
  if (lock_.fd >= 0 && fs::exists(cut_short_marker(), ec))
    return settle_cut_short_apply(std::move(r));
  return r;
}

// Written right before an apply, removed once it returns: a later run that finds it knows
// xdeploy died during that apply. Its Terraform did not (it outlives xdeploy, see
// subprocess.h) and has most likely finished it alone, but nobody refreshed the slots'
// addresses afterwards (an IP move changes them) the way the killed run would have.
fs::path TerraformBackend::cut_short_marker() const {
  return fs::path(state_dir()) / "apply-cut-short";
}

Result<ClusterState> TerraformBackend::settle_cut_short_apply(Result<ClusterState> read) {
  std::vector<Color> colors;
  for (const auto& [color, slot] : read.value->slots) colors.push_back(color);
  std::error_code ec;
  if (colors.empty()) {  // no slot, no address to refresh
    fs::remove(cut_short_marker(), ec);
    return read;
  }
  sink_("state",
        "the last run was killed during an apply (its Terraform finished it alone): refreshing "
        "the slots' addresses",
        false);
  auto refreshed = refresh_state(read.value->deployment, colors);
  refreshed.commands.insert(refreshed.commands.begin(), read.commands.begin(), read.commands.end());
  if (refreshed.ok()) fs::remove(cut_short_marker(), ec);
  return refreshed;
}

// Remembered across runs in .xdeploy/: the next xdeploy after a killed or
// failed run must not trust the outputs either.
fs::path TerraformBackend::suspect_marker() const {
  return fs::path(commands_.settings().chdir) / ".xdeploy" / "outputs-may-be-stale";
}

bool TerraformBackend::outputs_suspect() const {
  std::error_code ec;
  return outputs_suspect_ || fs::exists(suspect_marker(), ec);
}

void TerraformBackend::suspect_outputs(bool suspect) {
  outputs_suspect_ = suspect;
  std::error_code ec;
  if (suspect)
    std::ofstream(suspect_marker())
        << "an apply did not finish; outputs are checked against the state\n";
  else
    fs::remove(suspect_marker(), ec);
}

namespace {

bool looks_like_sha256(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

// The saved `current_build` output changes only on apply, so after a new .deb it names the
// old build and no slot looks stale. The module defines it as filesha256(var.artifact_path)
// (terraform/outputs.tf): the artifact on disk is the truth, and hashing it costs no
// Terraform invocation. A module whose current_build is not a SHA-256 has its own notion of
// a build: its saved output stands.
void TerraformBackend::use_current_artifact(ClusterState& state) {
  if (state.current_build && !looks_like_sha256(*state.current_build)) return;
  const auto build = current_artifact_build(commands_.settings());
  if (!build.sha256) {
    if (state.current_build)
      sink_("state", fmt::format("(current build: as of the last apply; {})", build.why_not),
            false);
    return;
  }
  if (state.current_build && *state.current_build != *build.sha256)
    sink_("state",
          fmt::format("(the artifact is build {:.12}; the last apply saw {:.12})", *build.sha256,
                      *state.current_build),
          false);
  state.current_build = build.sha256;
}

Result<ClusterState> TerraformBackend::read_verified_state() {
  auto r = read_state();
  if (r.ok() && !outputs_suspect()) verify_against_state(r);
  return r;
}

// Outputs can lag the state after an unfinished apply; the state cannot.
bool TerraformBackend::verify_against_state(Result<ClusterState>& r) {
  auto c = call("state", commands_.state_pull(), Stdout::Hidden);
  r.commands.push_back(c.record);
  std::string error;
  std::optional<StateFacts> facts;
  if (c.result.started && c.result.exit_code == 0)
    facts = parse_state_pull(c.result.stdout_text, &error);
  else
    error = c.result.started
                ? "terraform state pull failed: " +
                      terraform_error_summary(c.result.stderr_text, c.result.stdout_text)
                : not_started_message(c.result, commands_.settings().binary);
  if (!facts) {
    r.value.reset();
    r.code = c.result.started ? classify(c.result) : ExitCode::Failed;
    r.error = "cannot check the outputs against the state: " + error;
    r.hint = "run `xdeploy status` again; `terraform state list` shows what exists";
    return false;
  }
  for (const auto& correction : reconcile(*r.value, *facts))
    sink_("state", "outputs are stale: " + correction, false);
  return true;
}

Result<ClusterState> TerraformBackend::refresh_state(const Deployment& deployment,
                                                     const std::vector<Color>& colors) {
  if (colors.empty()) return read_state();
  Result<ClusterState> r;
  if (auto failed = ensure_init()) {
    r.code = failed->code;
    r.error = failed->message;
    r.hint = failed->hint;
    r.commands = failed->commands;
    return r;
  }
  // `deploy` must name every deployed slot, or the refreshed `slots` output would drop the
  // missing ones. Which one is active does not matter: the `active` output is read back
  // from the attachment, and a refresh-only apply checks no resource precondition.
  // A detached pair is both slots.
  const Deployment deployed =
      deployment.detached_pair ? Deployment{Color::Green, Color::Blue} : deployment;
  std::string outputs;
  auto c = call("refresh", commands_.refresh_instances(deployed), Stdout::JsonUi, &outputs);
  r.commands.push_back(c.record);
  if (!c.result.started || c.result.exit_code != 0) {
    r.code = c.result.started ? classify(c.result) : ExitCode::Failed;
    r.error =
        c.result.started
            ? fmt::format("terraform apply -refresh-only failed (exit {}): {}", c.result.exit_code,
                          terraform_error_summary(c.result.stderr_text, c.result.stdout_text))
            : not_started_message(c.result, commands_.settings().binary);
    r.hint = "the slots' addresses could not be refreshed; `xdeploy status` after a fix";
    StepOutcome lock;
    explain_state_lock(lock, c.result);
    if (!lock.message.empty()) {
      r.error = lock.message;
      r.hint = lock.hint;
    }
    return r;
  }
  if (outputs.empty()) {
    // Every refresh-only apply ends with one (terraform/README.md): without it, nothing
    // says what the state is, and an empty state would be a guess.
    r.code = ExitCode::Failed;
    r.error = "terraform apply -refresh-only exited 0 but printed no outputs event";
    r.hint = "run `xdeploy status`; the same command can be run again";
    return r;
  }
  OutputsError error;
  r.value = parse_outputs(outputs, &error);
  if (!r.value) {
    r.code = ExitCode::Failed;
    r.error = "cannot understand the refresh's outputs: " + error.reason;
    return r;
  }
  use_current_artifact(*r.value);
  // A refresh-only apply evaluates every root output again (terraform/README.md): they are
  // as fresh as the state, whatever an earlier unfinished apply left behind.
  suspect_outputs(false);
  return r;
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
      break;
    default:
      break;
  }
  return scope;
}

std::vector<std::string> TerraformBackend::describe(const Step& step, const Deployment&) const {
  const auto plan_file = plan_file_for(step);
  return {display_command(redact_secrets(commands_.plan(step.target, plan_scope(step), plan_file))),
          display_command(commands_.show_plan_json(plan_file)),
          fmt::format("(check the plan: {} may only change its own resources)", step.id()),
          display_command(commands_.apply_plan(plan_file))};
}

StepOutcome TerraformBackend::run(const Step& step, const Deployment& from, bool dry_run) {
  if (auto failed = ensure_init()) return *failed;
  const auto plan_file = plan_file_for(step);
  prepare_plans_dir();
  // Removes the plan file however this step ends: it holds the state and the variables.
  PlanFileGuard plan_guard(fs::path(commands_.settings().chdir) / plan_file);

  StepOutcome outcome;
  auto plan = call(step.id(), commands_.plan(step.target, plan_scope(step), plan_file));
  plan_guard.restrict();
  outcome.commands.push_back(plan.record);
  if (!plan.result.started) {
    auto o =
        failure(ExitCode::Failed, not_started_message(plan.result, commands_.settings().binary),
                "nothing was planned or applied");
    o.commands = outcome.commands;
    return o;
  }
  if (plan.result.exit_code == 0) {
    outcome.message = "no changes: Terraform already matches";
    return outcome;
  }
  if (plan.result.exit_code != 2) {
    outcome.code = classify(plan.result);
    outcome.message =
        fmt::format("terraform plan failed (exit {}): {}", plan.result.exit_code,
                    terraform_error_summary(plan.result.stderr_text, plan.result.stdout_text));
    outcome.hint =
        "nothing was applied; fix the error above and run the same xdeploy command again";
    explain_state_lock(outcome, plan.result);
    return outcome;
  }
  return guard_and_apply(step, from, dry_run, plan_file, plan_guard, std::move(outcome));
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
                                              PlanFileGuard& plan_guard, StepOutcome outcome) {
  auto show = call(step.id(), commands_.show_plan_json(plan_file), Stdout::Hidden);
  outcome.commands.push_back(show.record);
  if (!show.result.started || show.result.exit_code != 0) {
    outcome.code = show.result.started ? classify(show.result) : ExitCode::Failed;
    outcome.message =
        show.result.started
            ? fmt::format("terraform show -json failed: {}",
                          terraform_error_summary(show.result.stderr_text, show.result.stdout_text))
            : not_started_message(show.result, commands_.settings().binary);
    outcome.hint = "nothing was applied";
    return outcome;
  }
  std::string parse_error;
  auto plan = parse_plan_json(show.result.stdout_text, &parse_error);
  if (!plan) {
    // The guard passes only what it can read completely.
    outcome.code = ExitCode::Refused;
    outcome.message = fmt::format("refused: {}", parse_error);
    outcome.hint = fmt::format(
        "nothing was applied; inspect the plan with `terraform -chdir={} plan -var=deploy={}`",
        commands_.settings().chdir, step.target.to_deploy_var());
    return outcome;
  }
  emit(step.id(),
       fmt::format("(plan read: {} resource change(s), {} output change(s); the plan JSON is not "
                   "shown, it may hold secrets)",
                   plan->changes.size(), plan->output_changes),
       false);
  auto violations = check_changes(allowed_scope(step, from), plan->changes, step, from);
  if (!violations.empty()) {
    std::string list;
    for (const auto& v : violations)
      list += fmt::format("\n  {} {} ({})", v.action, v.address, v.why);
    outcome.code = ExitCode::Refused;
    outcome.message =
        fmt::format("refused: the plan for `{}` would also change:{}", step.describe(), list);
    outcome.hint = fmt::format(
        "nothing was applied. The configuration or the infrastructure drifted; inspect with "
        "`terraform "
        "-chdir={} plan -var=deploy={}`, fix it, then run the same xdeploy command again",
        commands_.settings().chdir, step.target.to_deploy_var());
    return outcome;
  }
  if (!changes_resources(plan->changes)) {
    // Exit 2 for output-only changes (facts §0): there is nothing to apply.
    outcome.message = fmt::format(
        "nothing to apply: the plan changes no resource (only {} output(s)); not applied",
        plan->output_changes);
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
                                               StepOutcome outcome) {
  std::ofstream(cut_short_marker()) << "an apply is running; removed when it returns\n";
  auto apply = call(step.id(), commands_.apply_plan(plan_file));
  std::error_code ec;
  fs::remove(cut_short_marker(), ec);  // returned: this run deals with what it did
  outcome.commands.push_back(apply.record);
  if (!apply.result.started) {
    outcome.code = ExitCode::Failed;
    outcome.message = not_started_message(apply.result, commands_.settings().binary);
    outcome.hint = "nothing was applied";
    return outcome;
  }
  if (apply.result.exit_code != 0) {
    suspect_outputs(true);
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
  if (applied_nothing(apply.result.stdout_text)) {
    suspect_outputs(true);
    outcome.code = ExitCode::Failed;
    outcome.message = "terraform apply exited 0 but applied none of the planned changes";
    outcome.hint = "run `xdeploy status`, then the same xdeploy command again";
    return outcome;
  }
  suspect_outputs(false);  // a complete apply evaluates every root output again
  return outcome;
}

}  // namespace xd
