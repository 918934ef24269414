#pragma once
// The app layer: runs a verb end to end on any backend. Lock, read the
// state, ask the planner, confirm destructive plans, run each step (backend
// steps, the native health gate, the downtime prober, verification), undo a
// promote that never serves, and record the operation in history.
//
// Each step returns one StepResult (outcome + history lines); the runner keeps
// what it knows of the live state in its Operation, and only finish() turns
// results into the exit code, the message and the history line. Split by
// concept: verb_runner.cpp (the run: lock, decide, plan loop, finish),
// verb_runner_gate.cpp (the health gate), verb_runner_move.cpp (the IP move,
// the prober, the way back), verb_runner_settle.cpp (reading the state back).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xdeploy/app/app_options.h"
#include "xdeploy/app/console.h"
#include "xdeploy/app/hooks.h"
#include "xdeploy/app/operation_record.h"
#include "xdeploy/app/step_result.h"
#include "xdeploy/app/team_state.h"
#include "xdeploy/backend/backend.h"
#include "xdeploy/core/decision.h"
#include "xdeploy/http/downtime_prober.h"
#include "xdeploy/lock/deploy_lock.h"

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
  int unlock();  // a remote state's deploy lock: who holds it; --force breaks it

 private:
  // What the runner knows while a verb runs: the history record being built,
  // and the live state as last read or changed.
  struct Operation {
    OperationRecord record;
    ClusterState state;
    Deployment current;                   // the deployment as of the last completed step
    bool stale = false;                   // `state` predates a mutating step
    std::optional<StepOutcome> prepared;  // the next step's first half, made during the gate
    std::chrono::steady_clock::time_point started;
  };
  // The plan's steps go forward. The automatic way back runs the same steps,
  // but moves the IP without a prober, so a rollback never triggers another.
  enum class Way { Forward, Back };

  // verb_runner.cpp
  Operation begin(const Request& request) const;
  StepResult read_state(Operation& op);
  int decide_and_run(Operation& op, const Request& request);
  int finish(Operation& op, StepResult result);
  int run_plan(Operation& op, const Plan& plan);
  int dry_run(Operation& op, const Plan& plan);
  void announce(const Plan& plan);
  void warn_stale_builds(const ClusterState& state);
  StepResult run_step(Operation& op, const Step& step, Way way = Way::Forward);
  StepResult backend_step(Operation& op, const Step& step);
  void save_history(const OperationRecord& record);
  // The remote state's side (team_lock.cpp): lock, history, status line.
  LockAttempt lock_attempt(const Request& request);
  std::optional<int> take_team_lock(LockAttempt attempt,
                                    const std::optional<LocalLockIdentity>& local, Operation& op);
  void release_team_lock();
  void save_team_history(const OperationRecord& record);
  std::optional<nlohmann::json> team_lock_status(std::vector<std::string>& lines);
  std::string log_file_for(const std::string& verb) const;

  // verb_runner_gate.cpp
  // The state with a fresh address, from the move's own plan (nullopt: the plan failed).
  using FreshState = std::function<std::optional<ClusterState>()>;
  StepResult health_gate(Operation& op, const Step& step,
                         const std::function<void()>& once_fresh = {},
                         const FreshState& fresh = {});
  StepResult gate_address(Operation& op, const Step& step, StepLine& line, const FreshState& fresh,
                          std::optional<GateResult>& answered);
  GateResult try_once(const std::string& url, Color color) const;
  bool answers_as(const std::string& url, Color color) const;
  StepResult poll_health(const Step& step, const std::string& url, StepLine line);
  StepResult gate_verdict(const Step& step, const std::string& url, const GateResult& gate,
                          StepLine line);
  StepResult run_step_planning_ahead(Operation& op, const Step& step, const Step* next, Way way);
  StepResult gate_while_preparing(Operation& op, const Step& gate, const Step& move, Way way);

  // verb_runner_move.cpp
  StepResult switch_traffic(Operation& op, const Step& step);
  StepResult watch_public_endpoint(Operation& op, const Step& step, Color served,
                                   DowntimeProber& prober, StepResult moved);
  StepResult after_failed_move(Operation& op, const Step& move, Color back_to, StepResult failure);
  StepResult auto_rollback(Operation& op, Color back_to, StepResult failure);

  // verb_runner_settle.cpp
  Result<ClusterState> refresh_state(Operation& op, const std::vector<Color>& colors);
  StepResult verify_active(Operation& op, const Step& step);
  StepResult confirm_goal(Operation& op, const Plan& plan);
  std::string settle_final_state(Operation& op);

  const AppOptions& options_;
  Backend& backend_;
  Console& console_;
  HookRunner hooks_;
  std::optional<TeamState> team_;
  std::unique_ptr<HeldLock> team_lock_;
};

// Why a deploy lock could not be taken, as the run's exit code, message and hint.
ExitCode lock_refusal_code(const LockRefusal& refusal);
std::string lock_refusal_message(const LockRefusal& refusal);
std::string lock_refusal_hint(const LockRefusal& refusal);

}  // namespace xd
