// The seed's developer story, retold with xdeploy against the fake terraform:
// blue, teal, ~green, promote green, rollback, promote green, cleanup.
#include <catch2/catch.hpp>

#include "integration/terraform_world.h"

using namespace xd::testing;
using nlohmann::json;

namespace {

void require_state(const TerraformWorld& w, const char* active, const json& inactive) {
  const auto s = w.status();
  INFO(s.dump(2));
  CHECK(s["deployment"]["active"] == active);
  CHECK(s["deployment"]["inactive"] == inactive);
}

int invocations(const json& result) {
  int n = 0;
  for (const auto& step : result["steps"]) n += static_cast<int>(step["commands"].size());
  return n;
}

}  // namespace

TEST_CASE("the seed story end to end") {
  TerraformWorld w;

  SECTION("and every step's Terraform budget") {
    auto blue = w.xdeploy_json({"blue"});
    CHECK(blue["result"] == "ok");
    CHECK(blue["to"]["active"] == "blue");
    CHECK(blue["gate"]["passed"] == true);
    CHECK(w.count("init") == 1);
    // (init, above, is not in the record) state pull, plan, apply (slot + IP), state pull
    // (the create changed the state), plan (attach, made while the gate polls), apply, state
    // pull (the read back). No show -json, no refresh: the gate checks blue's identity at the
    // address its create recorded.
    CHECK(invocations(blue) == 7);
    require_state(w, "blue", nullptr);

    auto teal = w.xdeploy_json({"teal"});
    CHECK(teal["to"]["deploy"] == "green,blue");
    CHECK(invocations(teal) == 4);  // state pull, plan, apply, state pull (read back: issue 9.6)
    require_state(w, "blue", "green");

    const int applies_before = w.count("apply");
    auto replace = w.xdeploy_json({"~green"});
    CHECK(replace["result"] == "ok");
    CHECK(w.count("apply") == applies_before + 1);
    CHECK(invocations(replace) == 4);  // state pull, plan, apply, state pull (read back)
    bool used_replace = false;
    for (const auto& c : w.calls())
      for (const auto& a : c["argv"])
        if (a == R"(-replace=module.slot["green"].aws_lightsail_instance.this)")
          used_replace = true;
    CHECK(used_replace);
    require_state(w, "blue", "green");

    auto promote = w.xdeploy_json({"promote", "green"});
    CHECK(promote["result"] == "ok");
    CHECK(promote["from"]["active"] == "blue");
    CHECK(promote["to"]["active"] == "green");
    // state pull, plan (-target=module.upgrade, made while the gate polls green at the address
    // it answers on as itself), apply, state pull (read back: blue's address is now unknown,
    // and says so; no refresh on the critical path)
    CHECK(invocations(promote) == 4);
    CHECK(promote["probe"]["new_color_served"] == true);
    CHECK(promote["gate"]["color"] == "green");
    require_state(w, "green", "blue");

    auto rollback = w.xdeploy_json({"rollback"});
    CHECK(rollback["to"]["active"] == "blue");
    // As promote: blue's address is unknown, so its gate takes it from the move's own plan.
    CHECK(invocations(rollback) == 4);
    require_state(w, "blue", "green");

    w.xdeploy_json({"promote", "green"});
    require_state(w, "green", "blue");

    auto cleanup = w.xdeploy_json({"cleanup"});
    CHECK(cleanup["to"]["deploy"] == "green");
    CHECK(invocations(cleanup) == 4);  // state pull, plan, apply, state pull (read back)
    require_state(w, "green", nullptr);

    // CI calls cleanup blindly: nothing left to clean is a success, one read.
    auto again = w.xdeploy_json({"cleanup"});
    CHECK(again["result"] == "noop");
    CHECK(invocations(again) == 1);

    auto history = w.xdeploy_json({"history", "--limit", "0"});
    REQUIRE(history.size() == 8);
    CHECK(history[0]["verb"] == "blue");
    CHECK(history[3]["verb"] == "promote green");
    CHECK(history[7]["result"] == "noop");
  }
}

TEST_CASE("re-running a verb whose goal holds is a no-op that says so") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  w.xdeploy_json({"promote", "green"});
  const int before = static_cast<int>(w.calls().size());
  auto r = w.xdeploy({"promote", "green"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("nothing to do: green is already active"));
  // One state pull (and one GET of the public address: it answers as green).
  CHECK(static_cast<int>(w.calls().size()) == before + 1);
  CHECK(w.xdeploy({"teal"}).exit_code == 0);
  auto blue = w.xdeploy({"blue"});  // blue is the inactive twin now: promote it instead
  CHECK(blue.exit_code == 4);
  CHECK_THAT(blue.err, Catch::Contains("xdeploy promote blue"));
}

TEST_CASE("status shows the slots, IPs and live health") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  auto s = w.xdeploy_json({"status", "--check"});
  CHECK(s["slots"]["blue"]["role"] == "active");
  CHECK(s["slots"]["green"]["role"] == "inactive");
  CHECK(s["slots"]["green"]["instance_name"] == "web-green");
  CHECK(s["slots"]["green"]["health"] == "healthy");
  CHECK(s["public_health"] == "healthy");
  CHECK(s["static_ip"] == "127.0.0.1");
  w.green.set_status(503);
  auto r = w.xdeploy({"status", "--check"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("UNHEALTHY: status 503"));
}

TEST_CASE("plan and --dry-run show the commands and change nothing") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  const auto state = w.state_text();
  const int applies = w.count("apply");
  auto r = w.xdeploy({"plan", "promote", "green"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("move the static IP to green"));
  CHECK_THAT(r.out, Catch::Contains("-var=deploy=blue,green"));
  CHECK_THAT(r.out, Catch::Contains("apply -input=false"));
  CHECK(w.count("apply") == applies);
  CHECK(w.count("plan") >= 1);
  CHECK(w.state_text() == state);
  CHECK(w.xdeploy({"cleanup", "--dry-run"}).exit_code == 0);
  CHECK(w.state_text() == state);
  CHECK(w.xdeploy_json({"history", "--limit", "0"}).size() == 2);  // dry runs are not history
}
