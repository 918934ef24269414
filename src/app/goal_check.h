#pragma once
// "Nothing to do" is said only after the goal was checked against the world. The planner
// reasons on the recorded state; two things it cannot see turn a no-op into a repair:
// - the inactive slot is half-built (its create or replace did not finish): `teal`
//   re-creates it instead of calling it done;
// - the active color is recorded, but the public address does not answer as it (the
//   static IP was detached outside Terraform, or the attach never finished): the verb that
//   wants that color active re-attaches it, through its own health gate like any move.
#include <functional>
#include <optional>
#include <string>

#include "xdeploy/core/cluster_state.h"
#include "xdeploy/core/decision.h"

namespace xd {

// Whether `url` answers healthy as `color` (one request).
using AnswersAs = std::function<bool(const std::string& url, Color color)>;

// The plan that repairs what the world lacks, or nullopt when the no-op stands.
std::optional<Plan> repair_instead_of_noop(const Request& request, const ClusterState& state,
                                           const AnswersAs& answers_as);

}  // namespace xd
