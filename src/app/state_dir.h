#pragma once
// `.xdeploy/` in the working dir holds the lock, logs, history and transient
// plan files: logs and plans can carry what Terraform printed about the
// infrastructure, so the directory is owner-only (0700), its files 0600.
// Modes are enforced on every mutating run, also on a directory created by an
// older xdeploy with looser ones.
#include <string>
#include <vector>

namespace xd {

struct StateDirReport {
  int stale_plans_removed = 0;
  std::vector<std::string> warnings;  // what could not be made private
};

// Creates `.xdeploy/` and `.xdeploy/logs/` 0700, tightens existing ones, sets
// history.jsonl and existing logs to 0600 and removes plan files left by a run
// that died. Call it while holding the deploy lock.
StateDirReport prepare_state_dir(const std::string& state_dir);

}  // namespace xd
