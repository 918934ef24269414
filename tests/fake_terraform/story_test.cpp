// The seed README's blue/green story driven through saved plans, against the built fake.
#include <catch2/catch.hpp>

#include <sstream>

#include "test_support/fake_tf_harness.h"
#include "test_support/health_server.h"
#include "test_support/initialised_workdir.h"

using namespace xd::testing;
using nlohmann::json;

namespace {

// plan -out then `show -json` of that plan: the resource_changes keyed by address.
std::map<std::string, json> planned(const Workdir& w, std::vector<std::string> plan_args) {
  std::vector<std::string> args{"plan", "-input=false", "-no-color", "-out=tfplan"};
  args.insert(args.end(), plan_args.begin(), plan_args.end());
  RunResult plan = w.tf(args);
  INFO(plan.all());
  REQUIRE(plan.exit_code == 0);
  RunResult show = w.tf({"show", "-json", "tfplan"});
  REQUIRE(show.exit_code == 0);
  std::map<std::string, json> out;
  const json doc = json::parse(show.out);
  for (const auto& rc : doc.at("resource_changes")) out[rc.at("address").get<std::string>()] = rc;
  return out;
}

std::map<std::string, json> changed_only(const std::map<std::string, json>& all) {
  std::map<std::string, json> out;
  for (const auto& [a, rc] : all)
    if (rc["change"]["actions"] != json::array({"no-op"})) out[a] = rc;
  return out;
}

void apply_saved(const Workdir& w) {
  RunResult apply = w.tf({"apply", "-input=false", "-no-color", "tfplan"});
  INFO(apply.all());
  REQUIRE(apply.exit_code == 0);
  REQUIRE(apply.out.find("Apply complete!") != std::string::npos);
}

const std::string kBlue = "module.slot[\"blue\"].aws_lightsail_instance.this";
const std::string kBluePorts = "module.slot[\"blue\"].aws_lightsail_instance_public_ports.this";
const std::string kGreen = "module.slot[\"green\"].aws_lightsail_instance.this";
const std::string kGreenPorts = "module.slot[\"green\"].aws_lightsail_instance_public_ports.this";
const std::string kHealthy = "module.upgrade.terraform_data.healthy";
const std::string kAttach = "module.upgrade.aws_lightsail_static_ip_attachment.this";
const std::string kStaticIp = "aws_lightsail_static_ip.this";

json outputs(const Workdir& w) {
  RunResult r = w.tf({"output", "-json"});
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

}  // namespace

TEST_CASE("the seed story runs through saved plans with Terraform's actions and reasons") {
  HealthServer server;
  Workdir w;
  w.fake_config(health_config(server.port()));
  REQUIRE(w.tf({"init", "-input=false"}).exit_code == 0);

  // deploy=blue: everything is created; nothing is read over HTTP (the gate is an attestation).
  auto first = planned(w, {"-var=deploy=blue", "-var=verified=blue"});
  CHECK(first.size() == 5);
  for (const auto& a : {kBlue, kBluePorts, kStaticIp, kHealthy, kAttach})
    CHECK(first.at(a)["change"]["actions"] == json::array({"create"}));
  CHECK(first.at(kBlue)["module_address"] == "module.slot[\"blue\"]");
  CHECK(first.at(kBlue)["provider_name"] == "registry.terraform.io/hashicorp/aws");
  CHECK(first.at(kBlue)["change"]["after_unknown"]["arn"] == true);
  apply_saved(w);
  CHECK(server.hits("/blue/health") == 0);
  json out = outputs(w);
  CHECK(out["active"]["value"] == "blue");
  std::string blue_arn = state_attributes(w.state(), kBlue)["arn"];
  CHECK(blue_arn.rfind("arn:aws:lightsail:us-east-1:000000000000:Instance/", 0) == 0);

  // teal: green joins as the inactive slot; blue stays active and untouched.
  auto teal = changed_only(planned(w, {"-var=deploy=green,blue"}));
  CHECK(teal.size() == 2);
  CHECK(teal.at(kGreen)["change"]["actions"] == json::array({"create"}));
  CHECK(teal.at(kGreenPorts)["change"]["actions"] == json::array({"create"}));
  apply_saved(w);
  CHECK(state_attributes(w.state(), kBlue)["arn"] == blue_arn);

  // ~green: forced replacement of the inactive instance, ports follow through the trigger.
  std::string green_arn = state_attributes(w.state(), kGreen)["arn"];
  auto tilde =
      changed_only(planned(w, {"-var=deploy=green,blue",
                               "-replace=module.slot[\"green\"].aws_lightsail_instance.this"}));
  CHECK(tilde.size() == 2);
  CHECK(tilde.at(kGreen)["change"]["actions"] == json::array({"delete", "create"}));
  CHECK(tilde.at(kGreen)["action_reason"] == "replace_by_request");
  CHECK(tilde.at(kGreenPorts)["action_reason"] == "replace_by_triggers");
  apply_saved(w);
  CHECK(state_attributes(w.state(), kGreen)["arn"] != green_arn);
  CHECK(outputs(w)["active"]["value"] == "blue");

  // Promote without the attestation: refused at plan time, nothing detached.
  RunResult unattested = w.tf({"plan", "-no-color", "-var=deploy=blue,green"});
  CHECK(unattested.exit_code == 1);
  CHECK(unattested.err.find("Static IP not moved: green has not been verified") !=
        std::string::npos);
  // Promote: only module.upgrade changes, the attachment is replaced (delete then create).
  auto promote = changed_only(planned(w, {"-var=deploy=blue,green", "-var=verified=green"}));
  for (const auto& [a, rc] : promote) CHECK(a.rfind("module.upgrade.", 0) == 0);
  CHECK(promote.at(kAttach)["change"]["actions"] == json::array({"delete", "create"}));
  CHECK(server.hits("/green/health") == 0);  // plans never read live health
  RunResult apply = w.tf({"apply", "-input=false", "-no-color", "tfplan"});
  REQUIRE(apply.exit_code == 0);
  auto detach = apply.out.find(kAttach + ": Destroying...");
  auto attach = apply.out.find(kAttach + ": Creating...");
  CHECK(detach != std::string::npos);
  CHECK(attach != std::string::npos);
  CHECK(detach < attach);
  CHECK(outputs(w)["active"]["value"] == "green");

  // Lightsail's addresses (facts §0.1): the move changed both instances' public addresses, but
  // state learns it only on a refresh, so `output -json` is stale: blue still "is" the static IP.
  const std::string static_url = health_config(server.port())["static_ip"]["health_url"];
  CHECK(outputs(w)["slots"]["value"]["blue"]["health_url"] == static_url);
  CHECK(state_attributes(w.state(), kBlue)["is_static_ip"] == true);
  RunResult refresh = w.tf({"apply", "-refresh-only", "-auto-approve", "-json", "-target=" + kBlue,
                            "-target=" + kGreen, "-var=deploy=blue,green"});
  REQUIRE(refresh.exit_code == 0);
  // Its final `outputs` event is the whole fresh state (every output, targeted or not).
  json fresh;
  std::istringstream lines(refresh.out);
  for (std::string line; std::getline(lines, line);)
    if (auto e = json::parse(line, nullptr, false); e.is_object() && e["type"] == "outputs")
      fresh = e["outputs"];
  CHECK(fresh["active"]["value"] == "green");
  CHECK(fresh["slots"]["value"]["blue"]["health_url"] ==
        health_config(server.port())["slots"]["blue"]["health_url"]);
  CHECK(fresh["slots"]["value"]["green"]["health_url"] == static_url);
  CHECK(outputs(w)["slots"] == fresh["slots"]);
  CHECK(state_attributes(w.state(), kGreen)["public_ip_address"] == "127.0.0.10");
  CHECK(state_attributes(w.state(), kBlue)["public_ip_address"] == "127.0.0.11");

  // deploy=green: blue is destroyed because its module instance left the configuration.
  // No attestation needed: green already holds the IP.
  auto cleanup = changed_only(planned(w, {"-var=deploy=green"}));
  CHECK(cleanup.size() == 2);
  CHECK(cleanup.at(kBlue)["change"]["actions"] == json::array({"delete"}));
  CHECK(cleanup.at(kBlue)["action_reason"] == "delete_because_no_module");
  CHECK(cleanup.at(kBluePorts)["action_reason"] == "delete_because_no_module");
  apply_saved(w);
  out = outputs(w);
  CHECK(out["active"]["value"] == "green");
  CHECK(out["slots"]["value"].size() == 1);
  CHECK(out["slots"]["value"].contains("green"));
}

TEST_CASE_METHOD(
    InitialisedWorkdir,
    "a promote through -target gate then -target module.upgrade matches the seed commands") {
  REQUIRE(w.tf({"apply", "-auto-approve", "-input=false", "-var=deploy=blue", "-var=verified=blue"})
              .exit_code == 0);

  // Step 1: create green and pass the gate; the attachment (a dependent) is left alone.
  RunResult gate = w.tf({"apply", "-auto-approve", "-input=false", "-no-color",
                         "-target=module.upgrade.terraform_data.healthy", "-var",
                         "deploy=blue,green", "-var=verified=green"});
  INFO(gate.all());
  REQUIRE(gate.exit_code == 0);
  CHECK(gate.out.find("Warning: Resource targeting is in effect") != std::string::npos);
  CHECK(gate.out.find("Warning: Applied changes may be incomplete") != std::string::npos);
  CHECK(gate.out.find(kAttach) == std::string::npos);
  CHECK(w.tf({"output", "-raw", "active"}).out == "blue");
  CHECK(state_attributes(w.state(), kHealthy)["input"] == "web-green");

  // Step 2: only the attachment moves.
  RunResult move = w.tf({"apply", "-auto-approve", "-input=false", "-no-color", "-target",
                         "module.upgrade", "-var=deploy=blue,green", "-var=verified=green"});
  INFO(move.all());
  REQUIRE(move.exit_code == 0);
  CHECK(move.out.find("Apply complete! Resources: 1 added, 0 changed, 1 destroyed.") !=
        std::string::npos);
  CHECK(w.tf({"output", "-raw", "active"}).out == "green");
}

TEST_CASE("a new build changes no existing slot; -replace ships it (ignore_changes)") {
  HealthServer server;
  Workdir w;
  json cfg = health_config(server.port());
  w.fake_config(cfg);
  REQUIRE(w.tf({"init"}).exit_code == 0);
  REQUIRE(
      w.tf({"apply", "-auto-approve", "-var=deploy=green,blue", "-var=verified=blue"}).exit_code ==
      0);
  cfg["build"] = "2";
  w.fake_config(cfg);
  // Like terraform/modules/slot: user_data and tags are ignored after creation.
  CHECK(changed_only(planned(w, {"-var=deploy=green,blue"})).empty());
  // Outputs live in state: they show the new build after the next apply.
  auto outputs = json::parse(w.tf({"output", "-json"}).out);
  CHECK(outputs["current_build"]["value"] == "1");
  CHECK(outputs["slots"]["value"]["green"]["build"] == "1");
  auto changes = changed_only(planned(w, {"-var=deploy=green,blue", "-replace=" + kGreen}));
  CHECK(changes.at(kGreen)["change"]["actions"] == json::array({"delete", "create"}));
  CHECK(changes.at(kGreen)["change"]["after"]["tags"]["build"] == "2");
  CHECK(changes.count(kBlue) == 0);
}

TEST_CASE_METHOD(InitialisedWorkdir,
                 "FAKE_TF_DRIFT makes a plan replace the drifted resource, unless -refresh=false") {
  REQUIRE(
      w.tf({"apply", "-auto-approve", "-var=deploy=green,blue", "-var=verified=blue"}).exit_code ==
      0);
  Env drift{{"FAKE_TF_DRIFT", kGreen}};
  RunResult plan =
      w.tf({"plan", "-no-color", "-detailed-exitcode", "-var=deploy=green,blue"}, drift);
  CHECK(plan.exit_code == 2);
  CHECK(plan.out.find("# " + kGreen + " must be replaced") != std::string::npos);
  RunResult no_refresh =
      w.tf({"plan", "-detailed-exitcode", "-refresh=false", "-var=deploy=green,blue",
            // Without a refresh, state still says blue does not hold the IP it was given:
            // exactly the staleness the attestation must cover.
            "-var=verified=blue"},
           drift);
  CHECK(no_refresh.exit_code == 0);
}

TEST_CASE_METHOD(
    InitialisedWorkdir,
    "destroying the protected static IP fails like prevent_destroy, changing nothing") {
  REQUIRE(w.tf({"apply", "-auto-approve", "-var=deploy=blue", "-var=verified=blue"}).exit_code ==
          0);
  std::string before = w.read("terraform.tfstate");
  RunResult r = w.tf({"destroy", "-auto-approve", "-no-color", "-var=deploy=blue"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("Error: Instance cannot be destroyed") != std::string::npos);
  CHECK(w.read("terraform.tfstate") == before);
  // A targeted destroy of the inactive-free slot takes its dependents along (facts §4).
  RunResult targeted = w.tf({"destroy", "-auto-approve", "-no-color", "-var=deploy=blue",
                             "-target=module.slot[\"blue\"].aws_lightsail_instance.this"});
  INFO(targeted.all());
  CHECK(targeted.exit_code == 0);
  auto left = state_addresses(w.state());
  CHECK(std::find(left.begin(), left.end(), kStaticIp) != left.end());
  CHECK(std::find(left.begin(), left.end(), kBlue) == left.end());
  CHECK(std::find(left.begin(), left.end(), kAttach) == left.end());
}
