#include "backend/terraform/terraform_backend.h"

#include <fmt/format.h>

#include <cstdlib>
#include <system_error>

#include <nlohmann/json.hpp>

#include "backend/terraform/outputs_parser.h"
#include "backend/terraform/plan_json.h"
#include "backend/terraform/state_lock.h"
#include "core/change_guard.h"
#include "process/interrupts.h"

namespace xd {

namespace fs = std::filesystem;

TerraformBackend::TerraformBackend(TerraformSettings settings, CommandRunner& runner,
                                   TerraformSink sink)
    : commands_(std::move(settings)), runner_(runner), sink_(std::move(sink)) {}

TerraformBackend::Call TerraformBackend::call(const std::string& label,
                                              const std::vector<std::string>& argv,
                                              std::string* outputs) {
  ProcessSpec spec;
  spec.argv = argv;
  // TF_IN_AUTOMATION: Terraform stops suggesting next commands; xdeploy does that.
  spec.env = {{"TF_IN_AUTOMATION", "1"}};
  auto on_stdout = [&](std::string_view line) {
    if (!outputs) return emit(label, line, false);
    // The -json UI: one object per line. Show people the message, keep the outputs event.
    const auto event = nlohmann::json::parse(line, nullptr, false);
    if (!event.is_object()) return emit(label, line, false);
    if (event.value("type", "") == "outputs" && event.contains("outputs"))
      *outputs = event["outputs"].dump();
    const auto message = event.value("@message", std::string());
    if (!message.empty()) emit(label, message, event.value("@level", "") == "error");
  };
  auto result =
      runner_.run(spec, on_stdout, [&](std::string_view line) { sink_(label, line, true); });
  CommandRecord record{display_command(redact_secrets(argv)),
                       result.started ? result.exit_code : 127, result.duration};
  return {std::move(result), std::move(record)};
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
  auto held = held_plans_.find(step.id());
  if (held == held_plans_.end()) return prepared;  // failed, refused, or nothing to do
  const std::string plan_file = held->second;
  held_plans_.erase(held);
  if (!prepared.ok()) return prepared;
  return apply_saved_plan(step, plan_file, std::move(prepared));
}

void TerraformBackend::discard(const Step& step) {
  flush_held_lines();
  auto held = held_plans_.find(step.id());
  if (held == held_plans_.end()) return;
  std::error_code ec;
  fs::remove(fs::path(commands_.settings().chdir) / held->second, ec);
  held_plans_.erase(held);
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

std::string terraform_error_summary(const std::string& stderr_text,
                                    const std::string& stdout_text) {
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
  auto c = call("state", commands_.output_json());
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
  }
  return r;
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
  auto c = call("refresh", commands_.refresh_instances(deployed), &outputs);
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
  OutputsError error;
  r.value = parse_outputs(outputs.empty() ? "{}" : outputs, &error);
  if (!r.value) {
    r.code = ExitCode::Failed;
    r.error = "cannot understand the refresh's outputs: " + error.reason;
  }
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
  std::error_code ec;
  fs::create_directories(fs::path(commands_.settings().chdir) / ".xdeploy" / "plans", ec);

  StepOutcome outcome;
  auto plan = call(step.id(), commands_.plan(step.target, plan_scope(step), plan_file));
  outcome.commands.push_back(plan.record);
  if (!plan.result.started)
    return failure(ExitCode::Failed, not_started_message(plan.result, commands_.settings().binary));
  if (plan.result.exit_code == 0) {
    outcome.message = "no changes: Terraform already matches";
    fs::remove(fs::path(commands_.settings().chdir) / plan_file, ec);
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
  return guard_and_apply(step, from, dry_run, plan_file, std::move(outcome));
}

StepOutcome TerraformBackend::guard_and_apply(const Step& step, const Deployment& from,
                                              bool dry_run, const std::string& plan_file,
                                              StepOutcome outcome) {
  const fs::path plan_path = fs::path(commands_.settings().chdir) / plan_file;
  auto discard_plan = [&] {
    std::error_code ec;
    fs::remove(plan_path, ec);
  };
  auto show = call(step.id(), commands_.show_plan_json(plan_file));
  outcome.commands.push_back(show.record);
  if (!show.result.started || show.result.exit_code != 0) {
    discard_plan();
    outcome.code = show.result.started ? classify(show.result) : ExitCode::Failed;
    outcome.message =
        fmt::format("terraform show -json failed: {}",
                    terraform_error_summary(show.result.stderr_text, show.result.stdout_text));
    return outcome;
  }
  std::string parse_error;
  auto plan = parse_plan_json(show.result.stdout_text, &parse_error);
  if (!plan) {
    discard_plan();
    return failure(ExitCode::Failed, parse_error, "nothing was applied");
  }
  auto violations = check_changes(allowed_scope(step, from), plan->changes, step, from);
  if (!violations.empty()) {
    discard_plan();
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
  if (dry_run) {
    discard_plan();
    outcome.message = "dry run: the plan is within the step's scope; nothing applied";
    return outcome;
  }
  if (hold_plan_) {  // prepare(): applied by commit() once the app says so, else discarded
    held_plans_[step.id()] = plan_file;
    return outcome;
  }
  return apply_saved_plan(step, plan_file, std::move(outcome));
}

StepOutcome TerraformBackend::apply_saved_plan(const Step& step, const std::string& plan_file,
                                               StepOutcome outcome) {
  auto apply = call(step.id(), commands_.apply_plan(plan_file));
  outcome.commands.push_back(apply.record);
  std::error_code ec;
  fs::remove(fs::path(commands_.settings().chdir) / plan_file, ec);
  if (!apply.result.started || apply.result.exit_code != 0) {
    outcome.code = apply.result.started ? classify(apply.result) : ExitCode::Failed;
    outcome.message =
        fmt::format("terraform apply failed (exit {}): {}", apply.result.exit_code,
                    terraform_error_summary(apply.result.stderr_text, apply.result.stdout_text));
    outcome.hint =
        "Terraform saved what it did; `xdeploy status` shows the state, and the same xdeploy "
        "command can be run again";
    explain_state_lock(outcome, apply.result);
  }
  return outcome;
}

}  // namespace xd
