#pragma once
// Kamal-style hooks: executables in the hooks dir (default
// <chdir>/.xdeploy/hooks, or --hooks-dir / `hooks-dir` in xdeploy.toml) that
// xdeploy runs around an operation, so a team can post to chat, tag a
// release or warm a cache without wrapping xdeploy in scripts.
//
// Which verb fires which hook (never on a dry run, a no-op, a usage error or
// "locked"):
//   pre-deploy     blue, green, teal, ~blue, ~green, replace: before the first step
//   pre-promote    promote, rollback: before the health gate
//   post-promote   promote: after it succeeded
//   post-rollback  rollback: after it succeeded; promote: after an automatic
//                  rollback put the previous color back (exit 6)
//   post-cleanup   cleanup: after it destroyed the inactive slot
//   on-failure     any of these verbs ending with a non-zero exit code once
//                  xdeploy held the lock (a failed state read, a refusal, a
//                  failing pre-hook, 1, 3, 6, 130 ...)
// A pre-* hook that fails (non-zero, cannot run, or times out) stops the
// operation before anything changes: exit 4, the hook named. A post-* or
// on-failure hook that fails is reported and changes no exit code.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xdeploy/app/app_options.h"
#include "xdeploy/app/console.h"
#include "xdeploy/app/operation_record.h"
#include "xdeploy/core/decision.h"
#include "xdeploy/core/duration.h"
#include "xdeploy/core/exit_code.h"
#include "xdeploy/core/request.h"

namespace xd {

enum class Hook { PreDeploy, PrePromote, PostPromote, PostRollback, PostCleanup, OnFailure };

std::string_view hook_name(Hook hook);

// --- pure: which hooks, with which environment ---

std::optional<Hook> pre_hook_for(Verb verb);
// The hooks to run once the operation ended with `record.exit_code`.
std::vector<Hook> post_hooks_for(Verb verb, const OperationRecord& record);
// The color the verb acts on: promote/replace/deploy's color, teal's new
// twin, rollback's target, cleanup's victim.
std::optional<Color> subject_color(const Plan& plan);

using Environment = std::vector<std::pair<std::string, std::string>>;
// XDEPLOY_VERB, XDEPLOY_FROM / XDEPLOY_TO (active color before / after, "" if
// none), XDEPLOY_COLOR, XDEPLOY_DOWNTIME_MS ("" unless measured),
// XDEPLOY_EXIT_CODE ("" for pre-hooks), XDEPLOY_RECORD (the history line as
// JSON; for pre-hooks the operation so far), XDEPLOY_HOOK.
Environment hook_environment(Hook hook, const OperationRecord& record,
                             std::optional<Color> subject);

// --- the edge: runs them ---

struct HookRefusal {
  ExitCode code = ExitCode::Refused;
  std::string message;
  std::string hint;
};

class HookRunner {
 public:
  HookRunner(const HookOptions& options, std::string state_dir, Console& console)
      : options_(options), state_dir_(std::move(state_dir)), console_(console) {}

  // The operation starts: remembers the request (on-failure needs it).
  void bind(const Request& request);
  // Before the first step of `plan`: the pre-hook, if any. A refusal means
  // stop (nothing has changed). Also records the hook as a step.
  std::optional<HookRefusal> before(const Plan& plan, OperationRecord& record);
  // The operation ended (record complete, exit code set): post/on-failure hooks.
  void after(const OperationRecord& record);

  std::string path_of(Hook hook) const;

 private:
  struct RunResult {
    bool ran = false;  // false: no such hook
    bool ok = true;
    std::string problem;  // "exited with 1", "timed out after 60s", "cannot run: ..."
  };
  RunResult run(Hook hook, const OperationRecord& record);

  const HookOptions& options_;
  std::string state_dir_;
  Console& console_;
  std::optional<Request> request_;
  std::optional<Color> subject_;
};

}  // namespace xd
