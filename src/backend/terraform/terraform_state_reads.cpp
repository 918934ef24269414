// TerraformBackend's reads: the state (state pull, read by state_reader.h), refreshes as
// checked refresh-only plans, drift shown and never written, and the check every plan
// file gets before it may be applied (no object dropped by the refresh).
#include <fmt/format.h>

#include <algorithm>

#include "artifact_build.h"
#include "state_pull.h"
#include "state_reader.h"
#include "terraform_addresses.h"
#include "terraform_backend.h"

namespace xd {

namespace fs = std::filesystem;

namespace {

template <typename T>
Result<T> failed_result(const StepOutcome& o) {
  Result<T> r;
  r.code = o.code;
  r.error = o.message;
  r.hint = o.hint;
  r.commands = o.commands;
  return r;
}

bool looks_like_sha256(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// "aws_lightsail_static_ip.this" -> "the static IP (aws_lightsail_static_ip.this)".
std::string what_is(const std::string& address) {
  if (address == kStaticIpAddress) return fmt::format("the static IP ({})", address);
  if (address == kAttachmentAddress) return fmt::format("the static IP's attachment ({})", address);
  for (const Color c : {Color::Blue, Color::Green}) {
    if (address == slot_instance_address(c))
      return fmt::format("{}'s instance ({})", to_string(c), address);
    if (address.rfind(slot_address(c) + ".", 0) == 0)
      return fmt::format("part of {} ({})", to_string(c), address);
  }
  return address;
}

// What a refresh-only plan's `deploy` must name: every deployed slot, or the plan would also
// plan their removal (a refresh-only plan applies none of that, but the outputs would follow
// it). A detached pair deploys both.
Deployment deployed_slots(const Deployment& deployment) {
  return deployment.detached_pair ? Deployment{Color::Green, Color::Blue} : deployment;
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

Result<ClusterState> TerraformBackend::state_from(const StateFacts& facts,
                                                  const std::string& what) {
  Result<ClusterState> r;
  std::string error;
  auto reading = read_cluster_state(facts, &error);
  if (!reading) {
    r.code = ExitCode::Failed;
    r.error = fmt::format("cannot understand {}: {}", what, error);
    r.hint =
        "check that -C points at the xdeploy root module (terraform/) and its outputs match the "
        "contract";
    return r;
  }
  for (const auto& note : reading->notes) sink_("state", "outputs are stale: " + note, false);
  use_current_artifact(reading->state);
  r.value = std::move(reading->state);
  return r;
}

Result<ClusterState> TerraformBackend::read_state() {
  Result<ClusterState> r;
  if (!fs::is_directory(commands_.settings().chdir)) {
    r.code = ExitCode::Usage;
    r.error = fmt::format("working directory \"{}\" does not exist", commands_.settings().chdir);
    r.hint = "pass -C/--chdir with the Terraform root module (default ./terraform)";
    return r;
  }
  if (auto failed = ensure_init()) return failed_result<ClusterState>(*failed);
  auto c = call("state", commands_.state_pull(), TerraformCall::hidden());
  std::string error;
  std::optional<StateFacts> facts;
  if (c.result.started && c.result.exit_code == 0)
    facts = parse_state_pull(c.result.stdout_text, &error);
  if (!facts) {
    r.commands.push_back(c.record);
    r.code = c.result.started && c.result.exit_code != 0 ? classify(c.result) : ExitCode::Failed;
    r.error = !c.result.started ? not_started_message(c.result, commands_.settings().binary)
              : c.result.exit_code != 0
                  ? fmt::format("terraform state pull failed (exit {}): {}", c.result.exit_code,
                                terraform_error_summary(c.result.stderr_text, c.result.stdout_text))
                  : error;
    r.hint = "`terraform state list` shows what the state holds; run the same command again";
    return r;
  }
  r = state_from(*facts, "`terraform state pull`");
  r.commands.insert(r.commands.begin(), c.record);
  if (r.ok())
    sink_("state",
          fmt::format("(state read: {}; not shown, it may hold secrets)",
                      r.value->deployment.describe()),
          false);
  return r;
}

// A refresh that drops an object is never applied: a wrong AWS account, region or profile
// looks to the provider exactly like every object deleted (issue 15: 6 of 29 addresses
// gone, and the next apply would have allocated a NEW static IP). Only a step whose own
// checked plan re-creates or destroys a slot may lose that slot's objects.
std::optional<StepOutcome> TerraformBackend::refuse_drops(const SavedPlanStates& states,
                                                          const Step* step,
                                                          const Deployment& deployment) const {
  std::vector<std::string> refused;
  for (const auto& address : dropped_by_refresh(states)) {
    const bool slot_step =
        step && (step->kind == StepKind::CreateSlot || step->kind == StepKind::ReplaceSlot ||
                 step->kind == StepKind::DestroySlot);
    const bool own_slot = slot_step && address.rfind(slot_address(step->color) + ".", 0) == 0 &&
                          (!deployment.is_active(step->color) || step->touches_active);
    // A move re-creates the attachment and its gate: a static IP detached outside Terraform
    // (the attachment refreshed away) is what `promote <active color>` repairs.
    const bool own_move =
        step && (step->kind == StepKind::SwitchTraffic || step->kind == StepKind::Bootstrap) &&
        address.rfind(std::string(kUpgradeModule) + ".", 0) == 0;
    if (!own_slot && !own_move) refused.push_back(address);
  }
  if (refused.empty()) return std::nullopt;
  std::string list;
  for (const auto& a : refused) list += "\n  " + what_is(a);
  return failure(
      ExitCode::Refused,
      fmt::format("refused: Terraform's refresh found {} object(s) gone that the state "
                  "holds; nothing was written:{}\nmost likely cause: the credentials point at "
                  "another AWS account or region (AWS_PROFILE, AWS_REGION, the provider's "
                  "region), where nothing of this deployment exists; otherwise they were "
                  "deleted outside Terraform (the Lightsail console)",
                  refused.size(), list),
      "check `aws sts get-caller-identity` and the region, then run the same command again: "
      "the state still holds everything. If they really were deleted, `xdeploy status "
      "--refresh` says which slot; `xdeploy ~<color>` re-creates an inactive slot, `xdeploy "
      "cleanup` removes what is left of one");
}

// plan (-json -out), read as it streams, then its saved file opened: the outcome is not
// ok() when the plan failed, or when it cannot be vouched for (refused, exit 4).
TerraformBackend::CheckedPlan TerraformBackend::make_plan(const std::string& label,
                                                          const std::vector<std::string>& argv,
                                                          const std::string& plan_file,
                                                          const std::string& what) {
  CheckedPlan plan;
  PlanStreamReader reader;
  auto c = call(label, argv, TerraformCall::json_ui([&](std::string_view l) { reader.line(l); }));
  plan.outcome.commands.push_back(c.record);
  plan.exit_code = c.result.exit_code;
  if (!c.result.started) {
    plan.outcome =
        failure(ExitCode::Failed, not_started_message(c.result, commands_.settings().binary),
                "nothing was planned or applied");
    plan.outcome.commands.push_back(c.record);
    return plan;
  }
  if (c.result.exit_code != 0 && c.result.exit_code != 2) {
    plan.outcome.code = classify(c.result);
    // With -json, Terraform's errors are diagnostics in the stream (stderr has only a crash).
    std::string errors;
    for (const auto& e : reader.stream().errors) errors += e + "\n\n";
    auto result = c.result;
    result.stdout_text = errors;
    plan.outcome.message =
        fmt::format("terraform {} failed (exit {}): {}", what, c.result.exit_code,
                    terraform_error_summary(result.stderr_text, result.stdout_text));
    plan.outcome.hint =
        "nothing was applied; fix the error above and run the same xdeploy command again";
    explain_state_lock(plan.outcome, result);
    return plan;
  }
  plan.stream = reader.stream();
  std::string why = reader.check();
  if (why.empty()) {
    plan.states =
        read_saved_plan_states((fs::path(commands_.settings().chdir) / plan_file).string(), &why);
  }
  if (plan.states) {
    const auto& read = plan.stream.refreshed;
    for (const Color c : {Color::Blue, Color::Green})
      if (std::find(read.begin(), read.end(), slot_instance_address(c)) != read.end())
        plan.states->refreshed.read_now.insert(c);
  }
  if (!why.empty()) {
    // The guard passes only what it can read completely.
    plan.outcome.code = ExitCode::Refused;
    plan.outcome.message = fmt::format("refused: cannot check the {}: {}", what, why);
    plan.outcome.hint = "nothing was applied; `terraform -chdir=" + commands_.settings().chdir +
                        " plan` shows the plan";
  }
  return plan;
}

Result<ClusterState> TerraformBackend::refresh_state(const Deployment& deployment,
                                                     const std::vector<Color>& colors) {
  if (colors.empty()) return read_state();
  if (auto failed = ensure_init()) return failed_result<ClusterState>(*failed);
  const Deployment deployed = deployed_slots(deployment);
  // Only what is needed: the instances whose addresses the caller reads (and what they
  // depend on). Root outputs are not re-evaluated by a targeted refresh; state_reader.h
  // reads addresses from the resources, so that does not matter.
  std::vector<std::string> targets;
  targets.reserve(colors.size());
  for (const Color c : colors) targets.push_back(slot_instance_address(c));
  const std::string plan_file = ".xdeploy/plans/refresh.tfplan";
  prepare_plans_dir();
  PlanFileGuard guard(fs::path(commands_.settings().chdir) / plan_file);
  auto plan = make_plan("refresh", commands_.refresh_plan(deployed, targets, plan_file), plan_file,
                        "refresh-only plan");
  guard.restrict();
  if (!plan.outcome.ok()) return failed_result<ClusterState>(plan.outcome);
  if (auto refused = refuse_drops(*plan.states, nullptr, deployed)) {
    refused->commands = plan.outcome.commands;
    return failed_result<ClusterState>(*refused);
  }
  auto commands = plan.outcome.commands;
  if (plan.exit_code == 2) {  // drift: written through the checked plan, nothing else
    Step refresh{StepKind::VerifyActive, colors.front(), deployed};
    auto applied = apply_saved_plan(refresh, plan_file, StepOutcome{}, /*changes=*/false);
    commands.insert(commands.end(), applied.commands.begin(), applied.commands.end());
    if (!applied.ok()) {
      applied.commands = commands;
      applied.hint = "the slots' addresses could not be refreshed; `xdeploy status` after a fix";
      return failed_result<ClusterState>(applied);
    }
  }
  auto r = state_from(plan.states->refreshed, "the refreshed state");
  r.commands = commands;
  return r;
}

Result<DriftReport> TerraformBackend::inspect_drift(const Deployment& deployment) {
  Result<DriftReport> r;
  if (auto failed = ensure_init()) return failed_result<DriftReport>(*failed);
  const Deployment deployed = deployed_slots(deployment);
  const std::string plan_file = ".xdeploy/plans/drift.tfplan";
  prepare_plans_dir();
  PlanFileGuard guard(fs::path(commands_.settings().chdir) / plan_file);  // never applied
  auto plan = make_plan("refresh", commands_.refresh_plan(deployed, {}, plan_file), plan_file,
                        "refresh-only plan");
  guard.restrict();
  r.commands = plan.outcome.commands;
  if (!plan.outcome.ok()) {
    r.code = plan.outcome.code;
    r.error = plan.outcome.message;
    r.hint = plan.outcome.hint;
    return r;
  }
  auto state = state_from(plan.states->refreshed, "the refreshed state");
  if (!state.ok()) {
    r.code = state.code;
    r.error = state.error;
    r.hint = state.hint;
    return r;
  }
  DriftReport report{*state.value, {}};
  for (const auto& address : dropped_by_refresh(*plan.states))
    report.findings.push_back(what_is(address) + " is gone outside Terraform");
  const auto& before = plan.states->before_refresh;
  const auto& now = plan.states->refreshed;
  for (const auto& [color, ip] : now.public_ips) {
    const auto was = before.public_ips.find(color);
    if (was != before.public_ips.end() && was->second != ip)
      report.findings.push_back(fmt::format("{}'s address changed outside Terraform: {} -> {}",
                                            to_string(color), was->second, ip));
  }
  if (before.attached_to != now.attached_to)
    report.findings.push_back(fmt::format("the static IP is attached to {} (the state said {})",
                                          now.attached_to ? *now.attached_to : "nothing",
                                          before.attached_to ? *before.attached_to : "nothing"));
  r.value = std::move(report);
  return r;
}

}  // namespace xd
