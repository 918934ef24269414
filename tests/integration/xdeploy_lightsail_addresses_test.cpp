// What real Terraform and Lightsail do that the old fake hid (issue 8): an instance's address
// changes on every static IP attach and detach and state learns it only on a refresh; the
// gate in front of the IP is an attestation xdeploy gives only after its own gate passed.
#include <catch2/catch.hpp>

#include "integration/terraform_world.h"

using namespace xd::testing;
using nlohmann::json;

namespace {

std::vector<json> calls_of(const TerraformWorld& w, const std::string& subcommand) {
  std::vector<json> out;
  for (const auto& c : w.calls())
    if (c.value("subcommand", "") == subcommand) out.push_back(c);
  return out;
}

bool has_arg(const json& call, const std::string& arg) {
  for (const auto& a : call["argv"])
    if (a == arg) return true;
  return false;
}

}  // namespace

TEST_CASE("promote then rollback gates blue at blue's own, refreshed address") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  auto promote = w.xdeploy_json({"promote", "green"});
  CHECK(promote["gate"]["url"] == w.green.url());
  // The promote's read-back never gives blue the static IP's address: the static IP left it,
  // so its new address is unknown (and said so) until something reads it ...
  const auto after = w.status();
  CHECK(after["slots"]["blue"]["address_unknown"] == true);
  CHECK(after["slots"]["blue"]["health_url"] == "");
  CHECK(after["slots"]["green"]["health_url"] == w.ip->url());
  CHECK_THAT(w.xdeploy({"status"}).out, Catch::Contains("address unknown"));
  // ... and `status --refresh` reads it (a refresh-only plan, shown, never applied).
  const auto state = w.state_text();
  const auto refreshed = w.xdeploy_json({"status", "--refresh"});
  CHECK(refreshed["slots"]["blue"]["address_unknown"] == false);
  CHECK(refreshed["slots"]["blue"]["health_url"] == w.blue.url());
  CHECK(refreshed["slots"]["green"]["health_url"] == w.ip->url());
  CHECK(w.state_text() == state);
  auto rollback = w.xdeploy({"rollback", "--json"});
  INFO(rollback.err);
  REQUIRE(rollback.exit_code == 0);
  const auto result = json::parse(rollback.out);
  CHECK(result["gate"]["url"] == w.blue.url());  // not the static IP, which reaches green
  CHECK(result["to"]["active"] == "blue");
  CHECK(w.status()["slots"]["blue"]["health_url"] == w.ip->url());
  CHECK(w.status()["slots"]["green"]["address_unknown"] == true);
  CHECK(w.xdeploy_json({"status", "--refresh"})["slots"]["green"]["health_url"] == w.green.url());
}

TEST_CASE(
    "a first deploy whose /health answers 500 exits 3 with the static IP attached to nothing") {
  TerraformWorld w;
  w.blue.set_status(500);
  auto r = w.xdeploy({"blue", "--json", "--health-timeout", "1s", "--health-interval", "100ms"});
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("blue failed its health gate"));
  CHECK_THAT(r.err, Catch::Contains("the static IP was not moved"));
  CHECK_THAT(r.err, !Catch::Contains("precondition"));
  const auto s = w.status();
  CHECK(s["deployment"]["active"].is_null());
  CHECK(s["deployment"]["inactive"] == "blue");
  CHECK(w.state_text().find("aws_lightsail_static_ip_attachment") == std::string::npos);
  CHECK(w.state_text().find("aws_lightsail_static_ip\"") != std::string::npos);
  // Gated at the slot's own address, never through the static IP.
  CHECK(json::parse(r.out)["gate"]["url"] == w.blue.url());
  // The attach was planned while the gate polled, but never applied, and its saved plan (the
  // only place the attestation existed) is gone.
  int changing_applies = 0;
  for (const auto& apply : calls_of(w, "apply"))
    changing_applies += !has_arg(apply, "-refresh-only");
  CHECK(changing_applies == 1);  // the create
  CHECK_FALSE(std::filesystem::exists(w.dir() / ".xdeploy/plans/switch-blue.tfplan"));
  // Fixed, the same command finishes the job.
  w.blue.set_status(200);
  auto again = w.xdeploy_json({"blue"});
  CHECK(again["to"]["active"] == "blue");
  CHECK(w.status()["slots"]["blue"]["health_url"] == w.ip->url());
}

TEST_CASE("the IP moves only with the attestation, given only after the native gate passed") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  w.xdeploy_json({"promote", "green"});
  for (const auto& plan : calls_of(w, "plan")) {
    if (has_arg(plan, "-refresh-only")) continue;  // a refresh moves nothing
    const bool attests =
        has_arg(plan, "-var=verified=blue") || has_arg(plan, "-var=verified=green");
    const bool moves = has_arg(plan, "-var=deploy=blue") || has_arg(plan, "-var=deploy=blue,green");
    // The first deploy's create step is targeted and attests nothing; its attach step does.
    const bool targeted = has_arg(plan, "-target=aws_lightsail_static_ip.this");
    CHECK(attests == (moves && !targeted));
  }
}

TEST_CASE("verbs that do not move the IP never depend on prod's health") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  const int blue_hits = w.blue.hits();
  w.blue.set_status(503);  // prod is down: teal, ~green and cleanup must not care
  CHECK(w.xdeploy_json({"teal"})["result"] == "ok");
  CHECK(w.xdeploy_json({"~green", "--yes"})["result"] == "ok");
  CHECK(w.blue.hits() == blue_hits);
  w.blue.set_status(200);
  w.xdeploy_json({"promote", "green"});
  w.green.set_status(503);
  CHECK(w.xdeploy_json({"cleanup", "--yes"})["result"] == "ok");
  CHECK(w.status()["deployment"]["active"] == "green");
}

TEST_CASE("the promote's plan runs while the gate polls; only the apply waits for it") {
  using namespace std::chrono_literals;
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  // Green stays unhealthy until the move's plan exists. Were the plan made after the gate, the
  // gate could never pass.
  w.green.set_status(503);
  ChildProcess promote(w.spec(
      {"promote", "green", "--health-timeout", "60s", "--health-interval", "100ms", "--json"}));
  REQUIRE(eventually(
      [&] {
        for (const auto& plan : calls_of(w, "plan"))
          if (has_arg(plan, "-var=verified=green")) return true;
        return false;
      },
      30s));
  CHECK(w.green.hits() > 0);  // the gate was already polling
  w.green.set_status(200);
  REQUIRE(promote.wait(30s));
  const auto r = promote.result();
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const auto result = json::parse(r.out);
  CHECK(result["to"]["active"] == "green");
  CHECK(result["gate"]["attempts"].get<int>() >= 2);
}
