#pragma once
// A working dir whose Terraform state lives in S3 is shared by a team and its
// CI runners: its deploy lock and its history live next to that state, so
// they are one across machines (src/remote). This finds them.
#include <optional>
#include <string>

#include "xdeploy/app/app_options.h"
#include "xdeploy/remote/remote_history.h"
#include "xdeploy/remote/remote_state.h"
#include "xdeploy/remote/s3_operation_lock.h"

namespace xd {

struct TeamState {
  RemoteState where;
  s3::Client client;
  std::string working_dir;  // absolute, recorded in the lock
  S3OperationLock lock() const;
  RemoteHistory history() const { return RemoteHistory(client, where.history_prefix()); }
};

struct TeamStateFinding {
  std::optional<TeamState> team;
  std::string error;  // the state is in S3 but xdeploy cannot reach it (credentials, config)
  std::string hint;
  std::string note;  // a remote state xdeploy does not lock across machines (not S3)
};

// Terraform backend only; reads what `terraform init` saved (it does not init).
TeamStateFinding find_team_state(const AppOptions& options);

}  // namespace xd
