#pragma once
// The app layer: runs a verb end to end on any backend. Lock, read the
// state, ask the planner, confirm destructive plans, run each step (backend
// steps, the native health gate, the downtime prober, verification), undo a
// promote that never serves, and record the operation in history.
#include <functional>
#include <optional>

#include "app/app_options.h"
#include "app/console.h"
#include "app/hooks.h"
#include "app/operation_record.h"
#include "xdeploy/backend/backend.h"
#include "xdeploy/core/decision.h"

namespace xd {

class VerbRunner {
 public:
  VerbRunner(const AppOptions& options, Backend& backend, Console& console)
      : options_(options),
        backend_(backend),
        console_(console),
        hooks_(options.hooks, options.state_dir(), console) {}

  int execute(const Request& request);  // a mutating verb (or its dry run)
  int status();
  int history();

 private:
  struct Operation {
    OperationRecord record;
    ClusterState state;
    Deployment current;                   // the deployment as of the last completed step
    bool stale = false;                   // `state` predates a mutating step
    std::optional<StepOutcome> prepared;  // the next step's first half, made during the gate
    std::chrono::steady_clock::time_point started;
  };

  Operation begin(const Request& request) const;
  int finish(Operation& op, ExitCode code, const std::string& message,
             const std::string& hint = {});
  int run_plan(Operation& op, const Plan& plan);
  int dry_run(Operation& op, const Plan& plan);
  void announce(const Plan& plan);
  void warn_stale_builds(const ClusterState& state);
  ExitCode run_step(Operation& op, const Step& step, std::string& message, std::string& hint);
  ExitCode backend_step(Operation& op, const Step& step, std::string& message, std::string& hint);
  ExitCode switch_traffic(Operation& op, const Step& step, std::string& message, std::string& hint);
  ExitCode health_gate(Operation& op, const Step& step, std::string& message, std::string& hint,
                       const std::function<void()>& once_fresh = {},
                       const std::function<std::optional<ClusterState>()>& fresh = {});
  bool gate_address(Operation& op, const Step& step, StepRecord& record, std::string& message,
                    std::string& hint, const std::function<std::optional<ClusterState>()>& fresh,
                    ExitCode& code);
  bool answers_as(const std::string& url, Color color) const;
  ExitCode gate_while_preparing(Operation& op, const Step& gate, const Step& move,
                                std::string& message, std::string& hint);
  ExitCode verify_active(Operation& op, const Step& step, std::string& message, std::string& hint);
  ExitCode auto_rollback(Operation& op, Color failed, std::string& message, std::string& hint);
  ExitCode after_failed_move(Operation& op, const Step& move, Color back_to, ExitCode code,
                             std::string& message, std::string& hint);
  bool refresh_state(Operation& op, const std::vector<Color>& colors, StepRecord& record,
                     std::string& message, std::string& hint);
  bool confirm_goal(Operation& op, const Plan& plan, std::string& message, std::string& hint);
  void settle_final_state(Operation& op, std::string& message);
  void save_history(const OperationRecord& record);
  std::string log_file_for(const std::string& verb) const;

  const AppOptions& options_;
  Backend& backend_;
  Console& console_;
  HookRunner hooks_;
  ExitCode last_refresh_code_ = ExitCode::Failed;  // why the last refresh_state() failed
};

}  // namespace xd
