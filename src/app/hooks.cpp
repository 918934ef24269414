#include "xdeploy/app/hooks.h"

#include <filesystem>

#include <fmt/format.h>

#include "xdeploy/process/interrupts.h"
#include "xdeploy/process/subprocess.h"

namespace xd {

namespace fs = std::filesystem;

std::string_view hook_name(Hook hook) {
  switch (hook) {
    case Hook::PreDeploy:
      return "pre-deploy";
    case Hook::PrePromote:
      return "pre-promote";
    case Hook::PostPromote:
      return "post-promote";
    case Hook::PostRollback:
      return "post-rollback";
    case Hook::PostCleanup:
      return "post-cleanup";
    case Hook::OnFailure:
      return "on-failure";
  }
  return "unknown";
}

std::optional<Hook> pre_hook_for(Verb verb) {
  switch (verb) {
    case Verb::Deploy:
    case Verb::Teal:
    case Verb::Replace:
      return Hook::PreDeploy;
    case Verb::Promote:
    case Verb::Rollback:
      return Hook::PrePromote;
    case Verb::Cleanup:
      return std::nullopt;
  }
  return std::nullopt;
}

namespace {

std::optional<Color> active_of(const std::optional<Deployment>& d) {
  return d ? d->active : std::nullopt;
}

std::string color_text(std::optional<Color> c) {
  return c ? std::string(to_string(*c)) : std::string();
}

// Exit 6 either put the previous color back (automatic rollback) or left the
// new one in place (--no-auto-rollback): only the first is a rollback.
bool rolled_back(const OperationRecord& record) {
  return record.exit_code == to_int(ExitCode::RolledBack) && active_of(record.from) &&
         active_of(record.from) == active_of(record.to);
}

}  // namespace

std::vector<Hook> post_hooks_for(Verb verb, const OperationRecord& record) {
  // Nothing happened (dry run, no-op), or the lock was never taken (its
  // holder, another xdeploy, runs its own hooks): no hooks. Reading the
  // state is the first step once the lock is held.
  if (record.dry_run || record.result == "noop" || record.steps.empty()) return {};
  if (record.exit_code != 0) {
    std::vector<Hook> hooks;
    if (verb == Verb::Promote && rolled_back(record)) hooks.push_back(Hook::PostRollback);
    hooks.push_back(Hook::OnFailure);
    return hooks;
  }
  switch (verb) {
    case Verb::Promote:
      return {Hook::PostPromote};
    case Verb::Rollback:
      return {Hook::PostRollback};
    case Verb::Cleanup:
      return {Hook::PostCleanup};
    default:
      return {};
  }
}

std::optional<Color> subject_color(const Plan& plan) {
  switch (plan.request.verb) {
    case Verb::Teal:
      return plan.to.inactive;
    case Verb::Rollback:
      return plan.to.active;
    case Verb::Cleanup:
      return plan.from.inactive;
    default:
      return plan.request.color;
  }
}

Environment hook_environment(Hook hook, const OperationRecord& record,
                             std::optional<Color> subject) {
  const bool pre = hook == Hook::PreDeploy || hook == Hook::PrePromote;
  std::string downtime;
  if (record.probe) downtime = std::to_string(record.probe->downtime.count());
  return {
      {"XDEPLOY_HOOK", std::string(hook_name(hook))},
      {"XDEPLOY_VERB", record.verb},
      {"XDEPLOY_FROM", color_text(active_of(record.from))},
      {"XDEPLOY_TO", color_text(active_of(record.to))},
      {"XDEPLOY_COLOR", color_text(subject)},
      {"XDEPLOY_DOWNTIME_MS", downtime},
      {"XDEPLOY_EXIT_CODE", pre ? std::string() : std::to_string(record.exit_code)},
      {"XDEPLOY_RECORD", record.to_json().dump()},
  };
}

void HookRunner::bind(const Request& request) {
  request_ = request;
  subject_ = request.color;
}

std::string HookRunner::path_of(Hook hook) const {
  const std::string dir = options_.dir.empty() ? state_dir_ + "/hooks" : options_.dir;
  return fmt::format("{}/{}", dir, hook_name(hook));
}

HookRunner::RunResult HookRunner::run(Hook hook, const OperationRecord& record) {
  RunResult result;
  const std::string path = path_of(hook);
  std::error_code ec;
  if (!options_.enabled || !fs::exists(path, ec)) return result;
  result.ran = true;
  const std::string name(hook_name(hook));
  console_.info(fmt::format("--> hook {} ({})", name, path));

  ProcessSpec spec;
  // "./x" rather than "x": a bare name would be looked up on PATH.
  spec.argv = {fs::path(path).is_absolute() ? path : "./" + path};
  spec.env = hook_environment(hook, record, subject_);
  spec.output_dir = state_dir_;  // its output is spooled there (unnamed, 0600), like Terraform's
  RealCommandRunner runner(HookTimeout{options_.timeout, options_.kill_grace});
  const auto outcome = runner.run(
      spec, [&](std::string_view line) { console_.stream("hook " + name, line, false); },
      [&](std::string_view line) { console_.stream("hook " + name, line, true); });
  if (!outcome.started)
    result.problem = outcome.error;
  else if (outcome.timed_out)
    result.problem =
        fmt::format("timed out after {} and was stopped", duration_literal(options_.timeout));
  else if (outcome.exit_code != 0)
    result.problem = fmt::format("exited with {}", outcome.exit_code);
  result.ok = result.problem.empty();
  return result;
}

std::optional<HookRefusal> HookRunner::before(const Plan& plan, OperationRecord& record) {
  subject_ = subject_color(plan);
  const auto hook = pre_hook_for(plan.request.verb);
  if (!hook) return std::nullopt;
  // What the hook sees as XDEPLOY_TO: where the plan is going.
  OperationRecord preview = record;
  preview.to = plan.to;
  const auto started = std::chrono::steady_clock::now();
  const auto result = run(*hook, preview);
  if (!result.ran) return std::nullopt;
  const std::string name(hook_name(*hook));
  StepRecord step{"hook-" + name, fmt::format("run the {} hook", name), "ok", "", {}, {}};
  step.duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  if (result.ok) {
    record.steps.push_back(step);
    return std::nullopt;
  }
  step.result = "refused";
  step.message = result.problem;
  record.steps.push_back(step);
  if (interrupted())
    return HookRefusal{ExitCode::Interrupted,
                       fmt::format("interrupted during the {} hook; nothing was changed", name),
                       ""};
  return HookRefusal{
      ExitCode::Refused,
      fmt::format("refused: the {} hook {}; nothing was changed", name, result.problem),
      fmt::format("the hook is {}: fix it, or pass --no-hooks to run without hooks",
                  path_of(*hook))};
}

void HookRunner::after(const OperationRecord& record) {
  if (!request_) return;
  for (const Hook hook : post_hooks_for(request_->verb, record)) {
    const auto result = run(hook, record);
    if (result.ran && !result.ok)
      console_.warn(fmt::format("the {} hook {} ({}); the exit code is unchanged", hook_name(hook),
                                result.problem, path_of(hook)));
  }
}

}  // namespace xd
