// A destroy never leaves only a crashed slot behind, unless --force.
#include "xdeploy/core/survivor_check.h"

#include <catch2/catch.hpp>

#include "xdeploy/core/planner.h"

using namespace xd;

namespace {

ClusterState two_slots(SlotLiveness green, SlotLiveness blue) {
  ClusterState s;
  s.deployment = Deployment{Color::Green, Color::Blue};
  s.slots[Color::Green] = SlotInfo{Color::Green, "g", "", "", "", green, false, ""};
  s.slots[Color::Blue] = SlotInfo{Color::Blue, "b", "", "", "", blue, false, ""};
  return s;
}

Plan plan_for(Verb verb, std::optional<Color> color, const Deployment& d) {
  Request r;
  r.verb = verb;
  r.color = color;
  const auto decision = decide(r, d);
  REQUIRE(std::holds_alternative<Plan>(decision));
  return std::get<Plan>(decision);
}

}  // namespace

TEST_CASE("`xdeploy green` with green CRASHED does not destroy the healthy blue") {
  const auto state = two_slots(SlotLiveness::Crashed, SlotLiveness::Running);
  const auto plan = plan_for(Verb::Deploy, Color::Green, state.deployment);
  const auto refusal = refuse_destroying_the_last_runner(plan, state, false);
  REQUIRE(refusal);
  CHECK(refusal->code == ExitCode::Refused);
  CHECK_THAT(refusal->reason, Catch::Contains("green is CRASHED"));
  CHECK_THAT(refusal->hint, Catch::Contains("--force"));
  CHECK_FALSE(refuse_destroying_the_last_runner(plan, state, true));  // --force: the user's call
}

TEST_CASE("cleanup beside a crashed active slot is refused too") {
  const auto state = two_slots(SlotLiveness::Crashed, SlotLiveness::Running);
  const auto plan = plan_for(Verb::Cleanup, std::nullopt, state.deployment);
  CHECK(refuse_destroying_the_last_runner(plan, state, false));
}

TEST_CASE("a running or unknown survivor lets the destroy go ahead") {
  for (const auto liveness : {SlotLiveness::Running, SlotLiveness::Unknown}) {
    const auto state = two_slots(liveness, SlotLiveness::Crashed);
    CHECK_FALSE(refuse_destroying_the_last_runner(
        plan_for(Verb::Deploy, Color::Green, state.deployment), state, false));
  }
}
