#pragma once
// How long the attach of a static IP move may keep trying, so that a move that cannot attach
// keeps prod dark no longer than --move-deadline. Prod goes dark at the detach and comes back
// only when the IP is on a slot again: either this apply's attach, or the way back (the
// verb runner's automatic rollback: one targeted plan, then one apply that attaches to the
// previous slot). So the way back's time is reserved out of the deadline, estimated from
// what this very move cost on this machine: its plan, and its apply's start up to the detach
// (provider start-up, the same for the way back's apply).
#include <chrono>

namespace xd {

struct MoveBudget {
  std::chrono::milliseconds dark_budget;      // --move-deadline: detach to attach, at most
  std::chrono::milliseconds plan_took;        // the move's own plan (the way back plans alike)
  std::chrono::milliseconds apply_to_detach;  // the move's apply, from its start to the detach
};

// How long after the detach Terraform gets its one SIGINT. Never less than a quarter of the
// budget: on a machine so slow that the way back alone would eat it, the attach still gets a
// fair try (and the overrun is the machine's, printed in the message).
std::chrono::milliseconds attach_allowance(const MoveBudget& budget);

// What the way back is expected to take (the reserve).
std::chrono::milliseconds way_back_reserve(const MoveBudget& budget);

}  // namespace xd
