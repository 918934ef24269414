// The attestation gate of terraform/modules/upgrade (no data "http" any more), and the
// per-color settings of terraform/modules/slot, as the fake models them.
#include <catch2/catch.hpp>

#include "test_support/fake_tf_harness.h"
#include "test_support/health_server.h"
#include "test_support/initialised_workdir.h"

using namespace xd::testing;
using nlohmann::json;

namespace {
const std::string kBlue = "module.slot[\"blue\"].aws_lightsail_instance.this";
const std::string kGreen = "module.slot[\"green\"].aws_lightsail_instance.this";
const std::string kGreenPorts = "module.slot[\"green\"].aws_lightsail_instance_public_ports.this";
const std::string kBluePorts = "module.slot[\"blue\"].aws_lightsail_instance_public_ports.this";
const std::string kAttach = "module.upgrade.aws_lightsail_static_ip_attachment.this";

bool in_state(const Workdir& w, const std::string& address) {
  auto a = state_addresses(w.state());
  return std::find(a.begin(), a.end(), address) != a.end();
}
}  // namespace

TEST_CASE_METHOD(
    InitialisedWorkdir,
    "a first apply without an attestation creates the slot and IP but attaches nothing") {
  // Blue is being created: whether it holds the IP is unknown at plan, so the check waits.
  CHECK(w.tf({"plan", "-var=deploy=blue"}).exit_code == 0);
  RunResult r = w.tf({"apply", "-auto-approve", "-no-color", "-var=deploy=blue"});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "Error: Resource precondition failed"));
  CHECK(has(r.err, "pass -var=verified=blue"));
  CHECK(in_state(w, kBlue));
  CHECK(in_state(w, "aws_lightsail_static_ip.this"));
  CHECK_FALSE(in_state(w, kAttach));
  CHECK_FALSE(json::parse(w.tf({"output", "-json"}).out).contains("active"));
  CHECK(server.hits("/blue/health") == 0);  // Terraform never reads health any more
  // Now known at plan time: refused before anything is applied.
  RunResult plan = w.tf({"plan", "-no-color", "-var=deploy=blue"});
  CHECK(plan.exit_code == 1);
  CHECK(has(plan.err, "var.verified is null"));
  REQUIRE(w.tf({"apply", "-auto-approve", "-var=deploy=blue", "-var=verified=blue"}).exit_code ==
          0);
  CHECK(w.tf({"output", "-raw", "active"}).out == "blue");
}

TEST_CASE_METHOD(InitialisedWorkdir,
                 "verbs that do not move the IP need no attestation; a move needs the right one") {
  REQUIRE(w.tf({"apply", "-auto-approve", "-var=deploy=blue", "-var=verified=blue"}).exit_code ==
          0);
  // teal and ~green: blue already holds the IP (a refreshing plan reads is_static_ip).
  REQUIRE(w.tf({"apply", "-auto-approve", "-var=deploy=green,blue"}).exit_code == 0);
  REQUIRE(
      w.tf({"apply", "-auto-approve", "-var=deploy=green,blue", "-replace=" + kGreen}).exit_code ==
      0);
  const std::string state = w.read("terraform.tfstate");
  // promote green, attesting the wrong color: refused at plan, nothing applied.
  RunResult wrong =
      w.tf({"apply", "-auto-approve", "-no-color", "-var=deploy=blue,green", "-var=verified=blue"});
  CHECK(wrong.exit_code == 1);
  CHECK(has(wrong.err, "Static IP not moved: green has not been verified"));
  CHECK(w.read("terraform.tfstate") == state);
  RunResult bogus = w.tf({"plan", "-no-color", "-var=deploy=blue,green", "-var=verified=pink"});
  CHECK(bogus.exit_code == 1);
  CHECK(has(bogus.err, "verified must be \"blue\" or \"green\""));
  REQUIRE(
      w.tf({"apply", "-auto-approve", "-var=deploy=blue,green", "-var=verified=green"}).exit_code ==
      0);
  CHECK(w.tf({"output", "-raw", "active"}).out == "green");
  // cleanup: green holds the IP, blue goes, no attestation.
  REQUIRE(w.tf({"apply", "-auto-approve", "-var=deploy=green"}).exit_code == 0);
  CHECK(w.tf({"output", "-raw", "active"}).out == "green");
}

TEST_CASE("per-color settings: a new bundle or port reaches a slot only when it is (re)created") {
  HealthServer server;
  Workdir w;
  w.fake_config(health_config(server.port()));
  w.write("main.tf", w.read("main.tf") +
                         "\nvariable \"bundle_id\" {\n  default = \"nano_3_0\"\n}\n"
                         "\nvariable \"health_port\" {\n  default = 8080\n}\n");
  REQUIRE(w.tf({"init"}).exit_code == 0);
  REQUIRE(
      w.tf({"apply", "-auto-approve", "-var=deploy=green,blue", "-var=verified=blue"}).exit_code ==
      0);
  // A new size and port: with shared settings both slots, prod included, would change here.
  const std::vector<std::string> bigger{"-var=bundle_id=micro_3_0", "-var=health_port=9090"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), bigger.begin(), bigger.end());
    return args;
  };
  RunResult nothing = w.tf(with({"plan", "-detailed-exitcode", "-var=deploy=green,blue"}));
  CHECK(nothing.exit_code == 0);
  // ~green ships them to green only.
  REQUIRE(w.tf(with({"plan", "-detailed-exitcode", "-out=tfplan", "-var=deploy=green,blue",
                     "-replace=" + kGreen}))
              .exit_code == 2);
  json plan = json::parse(w.tf({"show", "-json", "tfplan"}).out);
  std::map<std::string, json> changed;
  for (const auto& rc : plan["resource_changes"])
    if (rc["change"]["actions"] != json::array({"no-op"})) changed[rc["address"]] = rc;
  CHECK(changed.size() == 2);
  CHECK(changed.at(kGreen)["change"]["after"]["bundle_id"] == "micro_3_0");
  CHECK(changed.at(kGreenPorts)["change"]["after"]["port_info"][0]["from_port"] == 9090);
  REQUIRE(w.tf({"apply", "tfplan"}).exit_code == 0);
  CHECK(state_attributes(w.state(), kBlue)["bundle_id"] == "nano_3_0");
  CHECK(state_attributes(w.state(), kBluePorts)["port_info"][0]["from_port"] == 8080);
  // ...and prod gets them only by promote (green, which has them, takes the IP).
  REQUIRE(w.tf(with({"apply", "-auto-approve", "-var=deploy=blue,green", "-var=verified=green"}))
              .exit_code == 0);
  CHECK(w.tf({"output", "-raw", "active"}).out == "green");
  CHECK(state_attributes(w.state(), kBlue)["bundle_id"] == "nano_3_0");
}
