// The guard between `plan` and `apply`, on scopes written by hand: it knows
// no backend's addresses (the Terraform scopes are tested in
// src/backend/terraform/step_scope_test.cpp).
#include "xdeploy/core/change_guard.h"

#include <catch2/catch.hpp>

using namespace xd;

namespace {
const Deployment kBlueActiveGreen{Color::Blue, Color::Green};
const Step kTeal{StepKind::CreateSlot, Color::Green, kBlueActiveGreen};
const ChangeScope kScope{{{"green", {"create"}}, {"gate", {"update", "delete"}}}, "blue"};
const std::string kBlueInstance = "blue.instance";
const std::string kGreenInstance = "green.instance";
}  // namespace

TEST_CASE("the guard allows what a rule allows, below its prefix") {
  CHECK(check_changes(kScope,
                      {{"green", {"create"}},
                       {"green.port", {"create"}},
                       {"green[0]", {"create"}},
                       {"gate.attachment", {"delete", "update"}}},
                      kTeal, kBlueActiveGreen)
            .empty());
}

TEST_CASE("the guard refuses an action or an address outside every rule, naming the step") {
  const auto v = check_changes(
      kScope, {{"green", {"delete"}}, {"greenish", {"create"}}, {"other", {"update"}}}, kTeal,
      kBlueActiveGreen);
  REQUIRE(v.size() == 3);
  CHECK(v[0].address == "green");
  CHECK(v[0].action == "delete");
  CHECK(v[1].address == "greenish");  // a string prefix, not a segment prefix
  CHECK(v[2].address == "other");
  CHECK(v[2].why == "outside what `" + kTeal.describe() + "` may change");
}

TEST_CASE("the active slot named by the scope may not be removed without --force") {
  const auto v =
      check_changes(kScope, {{"blue.instance", {"delete", "create"}}}, kTeal, kBlueActiveGreen);
  REQUIRE(v.size() == 1);
  CHECK(v[0].action == "replace");
  CHECK(v[0].why == "would replace the active slot (blue); only --force may");
  // A scope with a rule for it still refuses, unless the step may touch the active slot.
  ChangeScope allowing = kScope;
  allowing.rules.push_back({"blue", {"create", "delete"}});
  CHECK(check_changes(allowing, {{"blue.instance", {"delete"}}}, kTeal, kBlueActiveGreen).size() ==
        1);
  Step forced{StepKind::ReplaceSlot, Color::Blue, kBlueActiveGreen, true};
  CHECK(check_changes(allowing, {{"blue.instance", {"delete"}}}, forced, kBlueActiveGreen).empty());
  // No active slot in the scope: only the rules decide.
  ChangeScope none = allowing;
  none.active_slot.clear();
  CHECK(check_changes(none, {{"blue.instance", {"delete"}}}, kTeal, kBlueActiveGreen).empty());
}

TEST_CASE("the guard refuses an unreadable change and an import where it may not create") {
  const auto v =
      check_changes(kScope, {{"green", {}}, {"gate", {"no-op"}, true}}, kTeal, kBlueActiveGreen);
  REQUIRE(v.size() == 2);
  CHECK(v[0].action == "unknown");
  CHECK(v[1].action == "import");
  CHECK(check_changes(kScope, {{"green", {"no-op"}, true}}, kTeal, kBlueActiveGreen).empty());
}

TEST_CASE("changes_resources: only no-ops and reads change nothing") {
  CHECK_FALSE(changes_resources({}));
  CHECK_FALSE(changes_resources({{kBlueInstance, {"no-op"}}, {"data.x.y", {"read"}}}));
  CHECK(changes_resources({{kBlueInstance, {"no-op"}}, {kGreenInstance, {"create"}}}));
  CHECK(changes_resources({{kBlueInstance, {}}}));
  CHECK(changes_resources({{kBlueInstance, {"no-op"}, true}}));
}

TEST_CASE("summarize_actions names replacements") {
  CHECK(summarize_actions({"delete", "create"}) == "replace");
  CHECK(summarize_actions({"create", "delete"}) == "replace");
  CHECK(summarize_actions({"update"}) == "update");
}
