#include "state_json.h"

#include <catch2/catch.hpp>

using namespace xd;

namespace {

// blue and green instances; the attachment (when given) points at `attached`.
StateFacts state_facts(const std::string& attached) {
  StateFacts facts;
  facts.instances = {{Color::Blue, "web-blue"}, {Color::Green, "web-green"}};
  facts.public_ips = {{Color::Blue, ""}, {Color::Green, ""}};
  if (!attached.empty()) facts.attached_to = attached;
  return facts;
}

ClusterState blue_active_green() {
  ClusterState s;
  s.deployment = Deployment{Color::Blue, Color::Green};
  s.slots[Color::Blue] = SlotInfo{Color::Blue, "web-blue", "", "http://b", "", {}, false, ""};
  s.slots[Color::Green] = SlotInfo{Color::Green, "web-green", "", "http://g", "", {}, false, ""};
  return s;
}

}  // namespace

TEST_CASE("the state says which instance holds the static IP") {
  auto facts = std::optional(state_facts("web-green"));
  auto state = blue_active_green();
  auto corrections = reconcile(state, *facts);
  CHECK(state.deployment.active == Color::Green);
  CHECK(state.deployment.inactive == Color::Blue);
  REQUIRE(corrections.size() == 1);
  CHECK_THAT(corrections[0], Catch::Contains("attached to blue, the state says green"));
}

TEST_CASE("stale outputs after an interrupted promote: no attachment means nothing is active") {
  auto facts = std::optional(state_facts(""));
  auto state = blue_active_green();
  reconcile(state, *facts);
  CHECK_FALSE(state.deployment.active);
  CHECK(state.deployment.detached_pair);
}

TEST_CASE("fresh outputs need no correction; a slot missing from the state is dropped") {
  auto state = blue_active_green();
  CHECK(reconcile(state, state_facts("web-blue")).empty());
  CHECK(state.deployment == Deployment{Color::Blue, Color::Green});
  auto only_blue = std::optional(state_facts("web-blue"));
  only_blue->instances.erase(Color::Green);
  auto s2 = blue_active_green();
  CHECK(reconcile(s2, *only_blue).size() == 1);
  CHECK_FALSE(s2.slots.count(Color::Green));
  CHECK(s2.deployment == Deployment{Color::Blue, std::nullopt});
}

TEST_CASE(
    "a cleanup whose DeleteInstance failed: the slot the outputs forgot is back, so cleanup "
    "runs again") {
  // Real Terraform: `slots` follows `deploy` (green only), blue's instance is still there.
  auto facts = std::optional(state_facts("web-green"));
  ClusterState s;
  s.deployment = Deployment{Color::Green, std::nullopt};
  s.slots[Color::Green] = SlotInfo{Color::Green, "web-green", "", "http://g", "", {}, false, ""};
  const auto corrections = reconcile(s, *facts);
  REQUIRE(corrections.size() == 1);
  CHECK_THAT(corrections[0], Catch::Contains("blue is missing from the outputs"));
  CHECK(s.deployment == Deployment{Color::Green, Color::Blue});
  REQUIRE(s.slots.count(Color::Blue));
  CHECK(s.slots.at(Color::Blue).instance_name == "web-blue");
}
