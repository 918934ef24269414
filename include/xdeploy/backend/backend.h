#pragma once
// The port between the app layer and the infrastructure. Two implementations:
// Terraform (Lightsail, the product) and local (processes and a TCP router on
// this machine, for trying the flow without AWS). Same verbs, same state
// machine, same gate, lock and history on top of both.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xdeploy/core/cluster_state.h"
#include "xdeploy/core/exit_code.h"
#include "xdeploy/core/step.h"

namespace xd {

// One external command (or backend action) run for a step: what history and
// --json report.
struct CommandRecord {
  std::string display;  // shell-quoted argv (never secrets: those travel as TF_VAR_*)
  int exit_code = 0;
  std::chrono::milliseconds duration{0};
};

struct StepOutcome {
  ExitCode code = ExitCode::Ok;  // Ok, Failed, Refused (guard), Interrupted
  std::string message;           // what happened, one line; empty when Ok
  std::string hint;              // what to do next
  std::vector<CommandRecord> commands;
  // The state as the step's own plan read it from the world, when the backend has it
  // (Terraform: the refreshed state inside the saved plan): fresh slot addresses at no
  // extra cost, e.g. for a gate whose cached address did not answer. Initialized, so that
  // {code, message, hint, commands} stays a complete initializer.
  std::optional<ClusterState> refreshed{};
  // The step's change did not finish within its deadline (Terraform got one SIGINT).
  bool deadline_passed = false;
  bool ok() const { return code == ExitCode::Ok; }
};

// What a refresh that is shown and never written found (`status --refresh`).
struct DriftReport {
  ClusterState refreshed;             // the state as the world is now
  std::vector<std::string> findings;  // one line each: what changed outside the backend
};

template <typename T>
struct Result {
  std::optional<T> value;
  ExitCode code = ExitCode::Ok;
  std::string error;  // one line: what went wrong
  std::string hint;
  std::vector<CommandRecord> commands;
  bool ok() const { return value.has_value(); }
};

// The deploy lock, lent to a backend's commands for the length of a run: they
// inherit `fd` (ProcessSpec::inherit_fds), so a Terraform that outlives a
// killed xdeploy keeps other runs out until it exits, and report themselves so
// the lock file can name them.
struct LockShare {
  int fd = -1;  // -1: no lock held (status, or the run is over)
  std::function<void(int pid, const std::string& command)> child_started;
  std::function<void(int pid)> child_ended;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  // The deploy lock for the commands this backend runs (empty: none any more). By value:
  // a sink that overrides keep (moved in); the default keeps nothing.
  // NOLINTNEXTLINE(performance-unnecessary-value-param)
  virtual void share_lock(LockShare /*share*/) {}

  // Makes the working dir usable (Terraform: `init` when it never ran), so that
  // where the state lives is known before the state is read: a remote state's
  // deploy lock is taken next to it. nullopt: ready.
  virtual std::optional<StepOutcome> initialize() { return std::nullopt; }

  // The one way to read the state: what the backend recorded, without asking the world
  // (Terraform: `state pull`, no provider start, no refresh). It says only what it knows: a
  // slot whose address changed since the last look has SlotInfo::address_unknown set, a
  // half-built slot has SlotInfo::broken set.
  virtual Result<ClusterState> read_state() = 0;

  // The state with fresh slot addresses for `colors` (deployed as `deployment`). A backend
  // whose recorded addresses can be stale (Terraform: an instance's address changes on every
  // static IP attach/detach, and state learns it only on a refresh) refreshes them, writing
  // only what a checked plan says (a refresh that would drop an object is refused: exit 4);
  // the others just read. With no colors: read_state().
  virtual Result<ClusterState> refresh_state(const Deployment& deployment,
                                             const std::vector<Color>& colors) {
    (void)deployment;
    (void)colors;
    return read_state();
  }
  // Asks the world what changed outside the backend, writing nothing (`status --refresh`).
  virtual Result<DriftReport> inspect_drift(const Deployment& deployment) {
    (void)deployment;
    Result<DriftReport> r;
    auto read = read_state();
    r.commands = read.commands;
    r.code = read.code;
    r.error = read.error;
    r.hint = read.hint;
    if (read.ok()) r.value = DriftReport{*read.value, {}};
    return r;
  }

  // Executes one mutating step. With dry_run, shows what would happen and runs
  // only read-only checks (Terraform: plan + show + guard; never apply).
  virtual StepOutcome run(const Step& step, const Deployment& from, bool dry_run) = 0;

  // A step in two halves, so the app can overlap the slow, read-only half with something
  // else (the promote's plan with its health gate). prepare(): everything short of a change
  // (Terraform: plan, show, guard; the saved plan is kept), run on another thread and silent
  // until commit() or discard(); commit(): the change (apply the saved plan), or `prepared`
  // itself if it failed or there is nothing to do; discard(): drop it. Only for steps where
  // can_prepare() says so; the others use run().
  virtual bool can_prepare(const Step& step) const {
    (void)step;
    return false;
  }
  virtual StepOutcome prepare(const Step& step, const Deployment& from) {
    return run(step, from, true);
  }
  virtual StepOutcome commit(const Step& step, StepOutcome prepared) {
    (void)step;
    return prepared;
  }
  virtual void discard(const Step& step) { (void)step; }

  // The exact commands/actions `run` would perform, for `xdeploy plan`.
  virtual std::vector<std::string> describe(const Step& step, const Deployment& from) const = 0;
};

}  // namespace xd
