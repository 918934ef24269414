#include "backend/terraform/state_json.h"

#include <catch2/catch.hpp>

using namespace xd;

namespace {

// blue and green instances; the attachment (when given) points at `attached`.
std::string state_json(const std::string& attached) {
  std::string upgrade =
      attached.empty()
          ? ""
          : R"(,{"address":"module.upgrade","resources":[{"address":"module.upgrade.aws_lightsail_static_ip_attachment.this","values":{"instance_name":")" +
                attached + R"("}}]})";
  return R"({"format_version":"1.0","values":{"root_module":{"resources":[],"child_modules":[
    {"address":"module.slot[\"blue\"]","resources":[{"address":"module.slot[\"blue\"].aws_lightsail_instance.this","values":{"name":"web-blue"}}]},
    {"address":"module.slot[\"green\"]","resources":[{"address":"module.slot[\"green\"].aws_lightsail_instance.this","values":{"name":"web-green"}}]})" +
         upgrade + "]}}}";
}

ClusterState blue_active_green() {
  ClusterState s;
  s.deployment = Deployment{Color::Blue, Color::Green};
  s.slots[Color::Blue] = SlotInfo{Color::Blue, "web-blue", "", "http://b", "", {}};
  s.slots[Color::Green] = SlotInfo{Color::Green, "web-green", "", "http://g", "", {}};
  return s;
}

}  // namespace

TEST_CASE("the state says which instance holds the static IP") {
  std::string error;
  auto facts = parse_state_json(state_json("web-green"), &error);
  INFO(error);
  REQUIRE(facts);
  CHECK(facts->instances.at(Color::Blue) == "web-blue");
  CHECK(facts->attached_to == "web-green");
  auto state = blue_active_green();
  auto corrections = reconcile(state, *facts);
  CHECK(state.deployment.active == Color::Green);
  CHECK(state.deployment.inactive == Color::Blue);
  REQUIRE(corrections.size() == 1);
  CHECK_THAT(corrections[0], Catch::Contains("attached to blue, the state says green"));
}

TEST_CASE("stale outputs after an interrupted promote: no attachment means nothing is active") {
  std::string error;
  auto facts = parse_state_json(state_json(""), &error);
  REQUIRE(facts);
  CHECK_FALSE(facts->attached_to);
  auto state = blue_active_green();
  reconcile(state, *facts);
  CHECK_FALSE(state.deployment.active);
  CHECK(state.deployment.detached_pair);
}

TEST_CASE("fresh outputs need no correction; a slot missing from the state is dropped") {
  std::string error;
  auto state = blue_active_green();
  CHECK(reconcile(state, *parse_state_json(state_json("web-blue"), &error)).empty());
  CHECK(state.deployment == Deployment{Color::Blue, Color::Green});
  auto only_blue = parse_state_json(state_json("web-blue"), &error);
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
  std::string error;
  auto facts = parse_state_json(state_json("web-green"), &error);
  REQUIRE(facts);
  ClusterState s;
  s.deployment = Deployment{Color::Green, std::nullopt};
  s.slots[Color::Green] = SlotInfo{Color::Green, "web-green", "", "http://g", "", {}};
  const auto corrections = reconcile(s, *facts);
  REQUIRE(corrections.size() == 1);
  CHECK_THAT(corrections[0], Catch::Contains("blue is missing from the outputs"));
  CHECK(s.deployment == Deployment{Color::Green, Color::Blue});
  REQUIRE(s.slots.count(Color::Blue));
  CHECK(s.slots.at(Color::Blue).instance_name == "web-blue");
}

TEST_CASE("an empty state has no slots; garbage is an error") {
  std::string error;
  auto facts = parse_state_json(R"({"format_version":"1.0"})", &error);
  REQUIRE(facts);
  CHECK(facts->instances.empty());
  CHECK_FALSE(parse_state_json("nope", &error));
  CHECK_THAT(error, Catch::Contains("cannot read"));
}
