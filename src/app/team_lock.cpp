// The remote state's side of a run: the deploy lock next to the state in S3
// (taken after this working dir's flock, for the whole verb), the record
// shared under it, the lock named by `status`, and `unlock --force`.
#include <fmt/format.h>

#include "xdeploy/app/verb_runner.h"
#include "xdeploy/core/duration.h"
#include "xdeploy/process/interrupts.h"

namespace xd {

ExitCode lock_refusal_code(const LockRefusal& r) {
  if (!r.busy) return ExitCode::Failed;
  return r.interrupted ? ExitCode::Interrupted : ExitCode::Locked;
}

std::string lock_refusal_message(const LockRefusal& r) {
  if (!r.busy || !r.hint.empty()) return r.message;  // an error, or the remote lock's own words
  if (r.interrupted) return "interrupted while waiting for the lock";
  if (r.orphaned) return fmt::format("the deploy lock is still held by {}", r.who);
  return fmt::format("another xdeploy is running: {}", r.who);
}

std::string lock_refusal_hint(const LockRefusal& r) {
  if (!r.busy) return "";
  if (r.interrupted) return "nothing was changed";
  if (!r.hint.empty()) return r.hint;
  if (r.orphaned)
    return "a Terraform from a killed run is finishing its operation and saving its "
           "state (never kill it: that loses state and leaves Terraform's own lock); "
           "wait for it, or pass --lock-wait 10m to queue behind it, then check "
           "`xdeploy status`";
  return "wait for it to finish, or pass --lock-wait 10m to queue behind it";
}

LockAttempt VerbRunner::lock_attempt(const Request& request) {
  LockAttempt attempt;
  attempt.me = current_process_holder(request.display());
  attempt.wait = options_.lock_wait;
  attempt.interrupted = [this, said_waiting = false]() mutable {
    if (!said_waiting && options_.lock_wait.count() > 0)
      console_.info(fmt::format("waiting up to {} for another xdeploy to finish",
                                format_duration(options_.lock_wait)));
    said_waiting = true;
    return interrupted();
  };
  return attempt;
}

std::optional<int> VerbRunner::take_team_lock(LockAttempt attempt,
                                              const std::optional<LocalLockIdentity>& local,
                                              Operation& op) {
  if (auto failed = backend_.initialize()) {
    StepLine line{"init", "initialise the working dir"};
    line.add_commands(failed->commands);
    return finish(op, StepResult{failed->code, failed->message, failed->hint}.with(
                          std::move(line).done("failed")));
  }
  auto found = find_team_state(options_);
  if (!found.note.empty()) console_.info(found.note);
  if (!found.error.empty()) return finish(op, {ExitCode::Failed, found.error, found.hint});
  if (!found.team) return std::nullopt;
  team_ = std::move(found.team);
  auto lock = team_->lock();
  attempt.local_lock = local;
  LockRefusal refusal;
  team_lock_ = lock.acquire(attempt, &refusal);
  if (!team_lock_)
    return finish(op, {lock_refusal_code(refusal), lock_refusal_message(refusal),
                       lock_refusal_hint(refusal)});
  for (const auto& note : team_lock_->notes()) console_.warn(note);
  return std::nullopt;
}

void VerbRunner::release_team_lock() {
  if (!team_lock_) return;
  for (const auto& warning : team_lock_->release()) console_.warn(warning);
  team_lock_.reset();
}

void VerbRunner::save_team_history(const OperationRecord& record) {
  if (!team_) return;
  const auto error = team_->history().append(record.to_json());
  if (!error.empty())
    console_.warn(
        fmt::format("could not add the operation to the shared history in S3: {} (it "
                    "is in {}/history.jsonl)",
                    error, options_.state_dir()));
}

std::optional<nlohmann::json> VerbRunner::team_lock_status(std::vector<std::string>& lines) {
  auto found = find_team_state(options_);
  if (!found.error.empty()) {
    lines.push_back("lock:      unknown (" + found.error + ")");
    return nlohmann::json{{"held", nullptr}, {"error", found.error}};
  }
  if (!found.team) return std::nullopt;
  const auto lock = found.team->lock();
  const auto seen = lock.inspect();
  nlohmann::json j{{"object", lock.describe()}, {"held", seen.held}};
  if (!seen.error.empty()) {
    j["error"] = seen.error;
    lines.push_back("lock:      unknown (" + seen.error + ")");
  } else if (!seen.held) {
    lines.push_back("lock:      free (" + lock.describe() + ")");
  } else {
    const std::string who =
        seen.holder ? seen.holder->describe() : std::string("a holder whose note is unreadable");
    j["holder"] = who;
    if (seen.holder) {
      j["verb"] = seen.holder->verb;
      j["host"] = seen.holder->host;
      j["started_at"] = seen.holder->started_at;
      if (!seen.holder->ci_job_url.empty()) j["ci_job_url"] = seen.holder->ci_job_url;
    }
    lines.push_back(
        fmt::format("lock:      HELD by {} ({}; if that run is dead, `xdeploy unlock "
                    "--force` breaks it)",
                    who, lock.describe()));
  }
  return j;
}

int VerbRunner::unlock() {
  if (auto failed = backend_.initialize()) {
    console_.error(failed->message, failed->hint);
    return to_int(failed->code);
  }
  auto found = find_team_state(options_);
  if (!found.error.empty()) {
    console_.error(found.error, found.hint);
    return to_int(ExitCode::Failed);
  }
  if (!found.team) {
    console_.error("there is no remote deploy lock to break: the state is not in S3",
                   "this working dir's lock is an flock the kernel releases when its holder (and "
                   "any Terraform it started) exits; `xdeploy status` or `fuser -v " +
                       options_.state_dir() + "/lock` names what still runs");
    return to_int(ExitCode::Refused);
  }
  const auto lock = found.team->lock();
  const auto seen = lock.inspect();
  if (!seen.error.empty()) {
    console_.error("cannot read the deploy lock: " + seen.error);
    return to_int(ExitCode::Failed);
  }
  if (!seen.held) {
    console_.success(fmt::format("the deploy lock {} is free: nothing to break", lock.describe()));
    return 0;
  }
  const std::string who =
      seen.holder ? seen.holder->describe() : std::string("an unreadable holder");
  if (!options_.force) {
    console_.error(fmt::format("the deploy lock {} is held by {}", lock.describe(), who),
                   "if that run is dead (its runner was killed), `xdeploy unlock --force` breaks "
                   "it; if it still runs, breaking it lets two operations interleave");
    return to_int(ExitCode::Locked);
  }
  if (const auto error = lock.break_lock(seen); !error.empty()) {
    console_.error(error);
    return to_int(ExitCode::Refused);
  }
  console_.success(fmt::format(
      "broke the deploy lock {} held by {}; check `xdeploy status` before the next verb (that "
      "run may have stopped halfway; re-running its verb finishes it)",
      lock.describe(), who));
  return 0;
}

}  // namespace xd
