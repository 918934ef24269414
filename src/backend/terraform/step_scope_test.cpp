// What each step may change in the root module: the Terraform scopes the
// change guard judges plans against (the guard alone, on hand-written scopes:
// src/core/change_guard_test.cpp).
#include "step_scope.h"

#include <catch2/catch.hpp>

#include "terraform_addresses.h"

using namespace xd;

namespace {
const Deployment kBlueActive{Color::Blue, std::nullopt};
const Deployment kBlueActiveGreen{Color::Blue, Color::Green};
const std::string kGreenInstance = R"(module.slot["green"].aws_lightsail_instance.this)";
const std::string kGreenPorts = R"(module.slot["green"].aws_lightsail_instance_public_ports.this)";
const std::string kBlueInstance = R"(module.slot["blue"].aws_lightsail_instance.this)";
const std::string kAttachment = "module.upgrade.aws_lightsail_static_ip_attachment.this";

std::vector<Violation> check(const Step& s, const Deployment& from,
                             std::vector<ResourceChange> changes) {
  return check_changes(allowed_scope(s, from), changes, s, from);
}
}  // namespace

TEST_CASE("teal may create the inactive slot") {
  Step s{StepKind::CreateSlot, Color::Green, kBlueActiveGreen};
  CHECK(check(s, kBlueActive,
              {{kGreenInstance, {"create"}},
               {kGreenPorts, {"create"}},
               {"module.upgrade.data.http.health", {"read"}}})
            .empty());
}

TEST_CASE("teal may not touch the attachment or the active slot (drift)") {
  Step s{StepKind::CreateSlot, Color::Green, kBlueActiveGreen};
  auto v = check(s, kBlueActive,
                 {{kGreenInstance, {"create"}},
                  {kBlueInstance, {"delete", "create"}},
                  {kAttachment, {"update"}}});
  REQUIRE(v.size() == 2);
  CHECK(v[0].address == kBlueInstance);
  CHECK(v[0].action == "replace");
  CHECK_THAT(v[0].why, Catch::Contains("active slot"));
  CHECK(v[1].address == kAttachment);
}

TEST_CASE("prefixes match whole address segments only") {
  // module.slot["green"] is a prefix of neither: the plain prefix compare already rejects it.
  Step s{StepKind::CreateSlot, Color::Green, kBlueActiveGreen};
  auto v = check(s, kBlueActive,
                 {{R"(module.slot["greenish"].aws_lightsail_instance.this)", {"create"}}});
  CHECK(v.size() == 1);
  // module.upgrade IS a string prefix of module.upgrade_v2: only the segment check tells them
  // apart.
  const Deployment to{Color::Green, Color::Blue};
  Step promote{StepKind::SwitchTraffic, Color::Green, to};
  auto w = check(promote, kBlueActiveGreen,
                 {{"module.upgrade_v2.aws_lightsail_static_ip_attachment.this", {"delete"}}});
  REQUIRE(w.size() == 1);
  CHECK(w[0].address == "module.upgrade_v2.aws_lightsail_static_ip_attachment.this");
  // While module.upgrade itself, and its instances, are in scope.
  CHECK(check(promote, kBlueActiveGreen,
              {{kAttachment, {"delete", "create"}}, {"module.upgrade[0].x.y", {"update"}}})
            .empty());
}

TEST_CASE("an update is allowed only where the scope says so") {
  // teal may only create; cleanup may only delete: an update is outside both.
  Step teal{StepKind::CreateSlot, Color::Green, kBlueActiveGreen};
  auto v = check(teal, kBlueActive, {{kGreenInstance, {"create"}}, {kGreenPorts, {"update"}}});
  REQUIRE(v.size() == 1);
  CHECK(v[0].address == kGreenPorts);
  CHECK(v[0].action == "update");
  Step cleanup{StepKind::DestroySlot, Color::Green, kBlueActive};
  CHECK(check(cleanup, kBlueActiveGreen, {{kGreenInstance, {"update"}}}).size() == 1);
}

TEST_CASE("cleanup of the inactive slot may not touch the attachment") {
  // Only destroying the slot that holds the IP may drop the attachment with it.
  Step s{StepKind::DestroySlot, Color::Green, kBlueActive};
  auto v = check(s, kBlueActiveGreen, {{kGreenInstance, {"delete"}}, {kAttachment, {"delete"}}});
  REQUIRE(v.size() == 1);
  CHECK(v[0].address == kAttachment);
  CHECK(check(s, kBlueActiveGreen, {{kAttachment, {"update"}}}).size() == 1);
  // Destroying the active (sole) slot may.
  const Deployment blueOnly{Color::Blue, std::nullopt};
  Step sole{StepKind::DestroySlot, Color::Blue, Deployment{}, true};
  CHECK(check(sole, blueOnly, {{kBlueInstance, {"delete"}}, {kAttachment, {"delete"}}}).empty());
}

TEST_CASE("a change the guard cannot read is refused") {
  Step s{StepKind::CreateSlot, Color::Green, kBlueActiveGreen};
  auto v = check(s, kBlueActive, {{kGreenInstance, {}}});
  REQUIRE(v.size() == 1);
  CHECK(v[0].action == "unknown");
  CHECK(check(s, kBlueActive, {{kGreenInstance, {"frobnicate"}}}).size() == 1);
}

TEST_CASE("an import is allowed only where the scope may create") {
  Step teal{StepKind::CreateSlot, Color::Green, kBlueActiveGreen};
  ResourceChange adopt{kGreenInstance, {"no-op"}, true};
  CHECK(check(teal, kBlueActive, {adopt}).empty());
  ResourceChange foreign{kAttachment, {"no-op"}, true};
  auto v = check(teal, kBlueActive, {foreign});
  REQUIRE(v.size() == 1);
  CHECK(v[0].action == "import");
  Step cleanup{StepKind::DestroySlot, Color::Green, kBlueActive};
  CHECK(check(cleanup, kBlueActiveGreen, {adopt}).size() == 1);
}

TEST_CASE("~green may replace green, but not re-create it when it is active without --force") {
  Step s{StepKind::ReplaceSlot, Color::Green, kBlueActiveGreen};
  CHECK(check(s, kBlueActiveGreen,
              {{kGreenInstance, {"delete", "create"}}, {kGreenPorts, {"delete", "create"}}})
            .empty());
  const Deployment greenActive{Color::Green, Color::Blue};
  Step unforced{StepKind::ReplaceSlot, Color::Green, greenActive, false};
  CHECK(check(unforced, greenActive, {{kGreenInstance, {"delete", "create"}}}).size() == 1);
  Step forced{StepKind::ReplaceSlot, Color::Green, greenActive, true};
  CHECK(check(forced, greenActive,
              {{kGreenInstance, {"delete", "create"}}, {kAttachment, {"delete", "create"}}})
            .empty());
}

TEST_CASE("promote may only change module.upgrade") {
  const Deployment to{Color::Green, Color::Blue};
  Step s{StepKind::SwitchTraffic, Color::Green, to};
  CHECK(check(s, kBlueActiveGreen,
              {{kAttachment, {"delete", "create"}},
               {"module.upgrade.terraform_data.healthy", {"update"}}})
            .empty());
  auto v = check(s, kBlueActiveGreen,
                 {{kAttachment, {"delete", "create"}}, {kStaticIpAddress, {"delete", "create"}}});
  REQUIRE(v.size() == 1);
  CHECK(v[0].address == kStaticIpAddress);
}

TEST_CASE("cleanup may delete the inactive slot only, never create there") {
  Step s{StepKind::DestroySlot, Color::Green, kBlueActive};
  CHECK(check(s, kBlueActiveGreen, {{kGreenInstance, {"delete"}}, {kGreenPorts, {"delete"}}})
            .empty());
  CHECK(check(s, kBlueActiveGreen, {{kGreenInstance, {"delete"}}, {kBlueInstance, {"delete"}}})
            .size() == 1);
  CHECK(check(s, kBlueActiveGreen, {{kGreenInstance, {"create"}}}).size() == 1);
}

TEST_CASE("no-op and read changes are always fine") {
  Step s{StepKind::SwitchTraffic, Color::Green, kBlueActiveGreen};
  CHECK(check(s, kBlueActiveGreen,
              {{kBlueInstance, {"no-op"}}, {"data.aws_region.current", {"read"}}})
            .empty());
}

TEST_CASE("a first deploy may create the shared claims store, later steps may not touch it") {
  const Deployment created{std::nullopt, Color::Blue};
  Step bootstrap{StepKind::Bootstrap, Color::Blue, created};
  CHECK(check(bootstrap, Deployment{},
              {{kBlueInstance, {"create"}},
               {kStaticIpAddress, {"create"}},
               {kClaimsBucket, {"create"}},
               {kClaimsBucketAccess, {"create"}}})
            .empty());
  Step teal{StepKind::CreateSlot, Color::Green, kBlueActiveGreen};
  auto v = check(teal, kBlueActive, {{kGreenInstance, {"create"}}, {kClaimsBucket, {"delete"}}});
  REQUIRE(v.size() == 1);
  CHECK(v[0].address == kClaimsBucket);
}
