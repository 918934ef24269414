#pragma once
// The slot state machine: a verb plus the current Deployment gives the steps,
// a no-op, or a refusal. No I/O, no clock: every rule is table-tested.
#include "xdeploy/core/decision.h"

namespace xd {

Decision decide(const Request& request, const Deployment& current);

}  // namespace xd
