// Every verb against every slot state: the state machine's whole table.
#include "xdeploy/core/planner.h"

#include <catch2/catch.hpp>

#include <fmt/format.h>

using namespace xd;

namespace {

const Color B = Color::Blue;
const Color G = Color::Green;
const std::optional<Color> none;

// The reachable states: nothing, one active, active + inactive, and the
// half-done first deploy (a slot that holds no static IP).
const Deployment kEmpty{};
const Deployment kBlue{B, none};
const Deployment kGreen{G, none};
const Deployment kBlueActiveGreen{B, G};
const Deployment kGreenActiveBlue{G, B};
const Deployment kBlueUnattached{none, B};
const Deployment kDetachedPair{none, none, true};

Request req(Verb v, std::optional<Color> c = std::nullopt, bool force = false) {
  return {v, c, force};
}

std::vector<std::string> step_ids(const Decision& d) {
  std::vector<std::string> out;
  for (const auto& s : std::get<Plan>(d).steps) out.push_back(s.id());
  return out;
}

}  // namespace

TEST_CASE("deploy from nothing creates, gates, and only then attaches the IP and verifies") {
  auto d = decide(req(Verb::Deploy, B), kEmpty);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d) ==
        std::vector<std::string>{"bootstrap-blue", "gate-blue", "switch-blue", "verify-blue"});
  // The slot exists but holds no IP until the gate passed.
  CHECK(std::get<Plan>(d).steps[0].target.to_deploy_var() == "blue");
  CHECK_FALSE(std::get<Plan>(d).steps[0].target.active);
  CHECK(std::get<Plan>(d).to == kBlue);
  CHECK_FALSE(std::get<Plan>(d).destructive);
  CHECK(std::get<Plan>(d).to.to_deploy_var() == "blue");
}

TEST_CASE("deploy finishes a half-done first deploy of the same color") {
  auto d = decide(req(Verb::Deploy, B), kBlueUnattached);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d).front() == "bootstrap-blue");
}

TEST_CASE("deploy of the sole active color is a no-op") {
  CHECK(std::holds_alternative<Noop>(decide(req(Verb::Deploy, B), kBlue)));
  CHECK(std::holds_alternative<Noop>(decide(req(Verb::Deploy, G), kGreen)));
}

TEST_CASE("deploy of the active color removes the inactive twin, destructively") {
  auto d = decide(req(Verb::Deploy, G), kGreenActiveBlue);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d) == std::vector<std::string>{"destroy-blue"});
  CHECK(std::get<Plan>(d).destructive);
  CHECK(std::get<Plan>(d).to == kGreen);
  CHECK(std::get<Plan>(d).to.to_deploy_var() == "green");
}

TEST_CASE("deploy of a color that would destroy prod is refused with the way forward") {
  auto d = decide(req(Verb::Deploy, G), kBlue);
  REQUIRE(std::holds_alternative<Refusal>(d));
  const auto& r = std::get<Refusal>(d);
  CHECK(r.code == ExitCode::Refused);
  CHECK_THAT(r.reason, Catch::Contains("blue is active"));
  CHECK_THAT(r.hint, Catch::Contains("xdeploy teal"));
  CHECK_THAT(r.hint, Catch::Contains("promote green"));
}

TEST_CASE("deploy of the inactive color is refused: promote it instead") {
  auto d = decide(req(Verb::Deploy, G), kBlueActiveGreen);
  REQUIRE(std::holds_alternative<Refusal>(d));
  CHECK_THAT(std::get<Refusal>(d).hint, Catch::Contains("promote green"));
}

TEST_CASE("deploy of the other color while one slot holds no IP is refused") {
  auto d = decide(req(Verb::Deploy, G), kBlueUnattached);
  REQUIRE(std::holds_alternative<Refusal>(d));
}

TEST_CASE("teal creates the other color next to the active one") {
  auto d = decide(req(Verb::Teal), kBlue);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d) == std::vector<std::string>{"create-green"});
  CHECK(std::get<Plan>(d).to == kBlueActiveGreen);
  CHECK(std::get<Plan>(d).to.to_deploy_var() == "green,blue");
  CHECK_FALSE(std::get<Plan>(d).destructive);

  auto g = decide(req(Verb::Teal), kGreen);
  CHECK(step_ids(g) == std::vector<std::string>{"create-blue"});
  CHECK(std::get<Plan>(g).to.to_deploy_var() == "blue,green");
}

TEST_CASE("teal with both slots is a no-op, with nothing or no active slot refused") {
  CHECK(std::holds_alternative<Noop>(decide(req(Verb::Teal), kBlueActiveGreen)));
  auto e = decide(req(Verb::Teal), kEmpty);
  REQUIRE(std::holds_alternative<Refusal>(e));
  CHECK_THAT(std::get<Refusal>(e).hint, Catch::Contains("xdeploy blue"));
  CHECK(std::holds_alternative<Refusal>(decide(req(Verb::Teal), kBlueUnattached)));
}

TEST_CASE("~green replaces the inactive green only") {
  auto d = decide(req(Verb::Replace, G), kBlueActiveGreen);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d) == std::vector<std::string>{"replace-green"});
  const auto& p = std::get<Plan>(d);
  CHECK(p.to == kBlueActiveGreen);
  CHECK_FALSE(p.steps[0].touches_active);
  CHECK_FALSE(p.destructive);
}

TEST_CASE("~green with green absent acts as teal") {
  auto d = decide(req(Verb::Replace, G), kBlue);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d) == std::vector<std::string>{"create-green"});
}

TEST_CASE("~green on the active green is refused without --force") {
  auto d = decide(req(Verb::Replace, G), kGreenActiveBlue);
  REQUIRE(std::holds_alternative<Refusal>(d));
  CHECK(std::get<Refusal>(d).code == ExitCode::Refused);
  CHECK_THAT(std::get<Refusal>(d).hint, Catch::Contains("--force"));
  CHECK(std::holds_alternative<Refusal>(decide(req(Verb::Replace, G), kGreen)));
}

TEST_CASE("~green --force on the active green replaces it, gates, re-attaches and verifies") {
  auto d = decide(req(Verb::Replace, G, true), kGreenActiveBlue);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d) ==
        std::vector<std::string>{"replace-green", "gate-green", "switch-green", "verify-green"});
  CHECK(std::get<Plan>(d).steps[0].touches_active);
  CHECK(std::get<Plan>(d).destructive);
}

TEST_CASE("~green with nothing deployed is refused") {
  auto d = decide(req(Verb::Replace, G), kEmpty);
  REQUIRE(std::holds_alternative<Refusal>(d));
  CHECK_THAT(std::get<Refusal>(d).hint, Catch::Contains("xdeploy green"));
}

TEST_CASE("promote gates before it moves the IP, then verifies") {
  auto d = decide(req(Verb::Promote, G), kBlueActiveGreen);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d) == std::vector<std::string>{"gate-green", "switch-green", "verify-green"});
  const auto& p = std::get<Plan>(d);
  CHECK(p.to == kGreenActiveBlue);
  CHECK(p.steps[1].target.to_deploy_var() == "blue,green");
  CHECK_FALSE(p.destructive);
}

TEST_CASE("promote of the active color is a no-op; of an absent one refused") {
  CHECK(std::holds_alternative<Noop>(decide(req(Verb::Promote, B), kBlueActiveGreen)));
  auto d = decide(req(Verb::Promote, G), kBlue);
  REQUIRE(std::holds_alternative<Refusal>(d));
  CHECK_THAT(std::get<Refusal>(d).reason, Catch::Contains("green is not deployed"));
  CHECK_THAT(std::get<Refusal>(d).hint, Catch::Contains("teal"));
  CHECK(std::holds_alternative<Refusal>(decide(req(Verb::Promote, G), kEmpty)));
}

TEST_CASE("promote of a half-deployed color attaches the IP to it") {
  auto d = decide(req(Verb::Promote, B), kBlueUnattached);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d) == std::vector<std::string>{"gate-blue", "switch-blue", "verify-blue"});
}

TEST_CASE("rollback promotes the inactive slot back") {
  auto d = decide(req(Verb::Rollback), kGreenActiveBlue);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d) == std::vector<std::string>{"gate-blue", "switch-blue", "verify-blue"});
  CHECK(std::get<Plan>(d).to == kBlueActiveGreen);
}

TEST_CASE("rollback without an inactive slot is refused") {
  for (const auto& state : {kEmpty, kBlue, kGreen, kBlueUnattached}) {
    auto d = decide(req(Verb::Rollback), state);
    REQUIRE(std::holds_alternative<Refusal>(d));
    CHECK(std::get<Refusal>(d).code == ExitCode::Refused);
  }
}

TEST_CASE("cleanup destroys the inactive slot and nothing else") {
  auto d = decide(req(Verb::Cleanup), kBlueActiveGreen);
  REQUIRE(std::holds_alternative<Plan>(d));
  CHECK(step_ids(d) == std::vector<std::string>{"destroy-green"});
  CHECK(std::get<Plan>(d).to == kBlue);
  CHECK(std::get<Plan>(d).destructive);
}

TEST_CASE("cleanup with nothing to clean is a no-op (CI calls it blindly)") {
  for (const auto& state : {kEmpty, kBlue, kGreen, kBlueUnattached})
    CHECK(std::holds_alternative<Noop>(decide(req(Verb::Cleanup), state)));
}

TEST_CASE("with the IP attached to neither slot only promote moves on") {
  auto p = decide(req(Verb::Promote, G), kDetachedPair);
  REQUIRE(std::holds_alternative<Plan>(p));
  CHECK(step_ids(p) == std::vector<std::string>{"gate-green", "switch-green", "verify-green"});
  CHECK(std::get<Plan>(p).to == kGreenActiveBlue);
  for (auto v : {Verb::Deploy, Verb::Teal, Verb::Replace, Verb::Rollback}) {
    auto d = decide(req(v, B), kDetachedPair);
    REQUIRE(std::holds_alternative<Refusal>(d));
    CHECK_THAT(std::get<Refusal>(d).hint, Catch::Contains("xdeploy promote"));
  }
  CHECK(std::holds_alternative<Noop>(decide(req(Verb::Cleanup), kDetachedPair)));
}

TEST_CASE("verbs that need a color refuse as a usage error without one") {
  for (auto v : {Verb::Deploy, Verb::Replace, Verb::Promote}) {
    auto d = decide(req(v), kBlueActiveGreen);
    REQUIRE(std::holds_alternative<Refusal>(d));
    CHECK(std::get<Refusal>(d).code == ExitCode::Usage);
  }
}

TEST_CASE("no plan ever destroys or replaces the active slot without --force") {
  const std::vector<Deployment> states{
      kEmpty, kBlue, kGreen, kBlueActiveGreen, kGreenActiveBlue, kBlueUnattached, kDetachedPair};
  for (const auto& state : states)
    for (auto v :
         {Verb::Deploy, Verb::Teal, Verb::Replace, Verb::Promote, Verb::Rollback, Verb::Cleanup})
      for (auto c : {B, G}) {
        auto d = decide(req(v, c), state);
        if (!std::holds_alternative<Plan>(d)) continue;
        for (const auto& s : std::get<Plan>(d).steps) {
          INFO(fmt::format("{} in {}: {}", req(v, c).display(), state.describe(), s.describe()));
          if (s.kind == StepKind::DestroySlot || s.kind == StepKind::ReplaceSlot)
            CHECK_FALSE(state.is_active(s.color));
        }
      }
}
