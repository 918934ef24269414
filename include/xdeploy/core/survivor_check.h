#pragma once
// Destroying a slot leaves the other one as the only one. When the backend
// knows that other one has crashed (local: its process is gone), the plan
// would leave nothing serving: `xdeploy green` with green CRASHED must not
// destroy the healthy blue. Refused unless --force. Pure.
#include <optional>

#include "xdeploy/core/cluster_state.h"
#include "xdeploy/core/decision.h"

namespace xd {

std::optional<Refusal> refuse_destroying_the_last_runner(const Plan& plan,
                                                         const ClusterState& state, bool force);

}  // namespace xd
