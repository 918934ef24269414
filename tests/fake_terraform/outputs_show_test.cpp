// Outputs, show -json, state list, stale plans and the call log, from real runs of the fake.
#include <catch2/catch.hpp>

#include "test_support/fake_tf_harness.h"
#include "test_support/health_server.h"
#include "test_support/initialised_workdir.h"

using namespace xd::testing;
using nlohmann::json;

TEST_CASE("output -json with no state prints {} and exit 0, even before init") {
  Workdir w;
  RunResult r = w.tf({"output", "-json"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "{}\n");
  RunResult human = w.tf({"output", "-no-color"});
  CHECK(human.exit_code == 0);
  CHECK(has(human.out, "Warning: No outputs found"));
  RunResult show = w.tf({"show", "-json"});
  CHECK(show.out == "{\"format_version\":\"1.0\"}\n");
  RunResult list = w.tf({"state", "list"});
  CHECK(list.exit_code == 1);
  CHECK(has(list.err, "No state file was found!"));
  RunResult pull = w.tf({"state", "pull", "-no-color"});  // real Terraform 1.11: nothing, exit 0
  CHECK(pull.exit_code == 0);
  CHECK(pull.all().empty());
}

TEST_CASE_METHOD(InitialisedWorkdir,
                 "outputs have the exact names, cty types and Terraform's pretty-printed layout") {
  RunResult apply =
      w.tf({"apply", "-auto-approve", "-no-color", "-var=deploy=green,blue", "-var=verified=blue"});
  REQUIRE(apply.exit_code == 0);
  CHECK(has(apply.out, "Apply complete! Resources: 7 added, 0 changed, 0 destroyed."));
  CHECK(has(apply.out, "\nOutputs:\n\nactive = \"blue\"\n"));

  RunResult r = w.tf({"output", "-json"});
  REQUIRE(r.exit_code == 0);
  json out = json::parse(r.out);
  CHECK(r.out == out.dump(2) + "\n");  // 2-space indent, sorted keys
  CHECK(r.out.rfind("{\n  \"active\": {\n    \"sensitive\": false,\n    \"type\": \"string\",",
                    0) == 0);
  CHECK(out["active"]["value"] == "blue");
  CHECK(out["static_ip"]["value"] == "127.0.0.10");
  CHECK(out["health_url"]["value"] ==
        "http://127.0.0.1:" + std::to_string(server.port()) + "/health");
  CHECK(out["slots"]["type"][0] == "object");
  CHECK(out["slots"]["type"][1]["green"] == json::array({"object",
                                                         {{"build", "string"},
                                                          {"health_url", "string"},
                                                          {"instance_name", "string"},
                                                          {"public_ip", "string"}}}));
  CHECK(out["current_build"]["value"] == "1");
  CHECK(out["slots"]["value"]["green"] ==
        json({{"instance_name", "web-green"},
              {"build", "1"},
              {"public_ip", "127.0.0.12"},
              {"health_url",
               "http://127.0.0.1:" + std::to_string(server.port()) + "/green/health"}}));

  CHECK(w.tf({"output", "-raw", "active"}).out == "blue");
  CHECK(w.tf({"output", "-json", "active"}).out == "\"blue\"\n");
  RunResult raw_object = w.tf({"output", "-raw", "slots"});
  CHECK(raw_object.exit_code == 1);
  CHECK(has(raw_object.err, "Unsupported value for raw output"));
  RunResult missing = w.tf({"output", "nope"});
  CHECK(missing.exit_code == 1);
  CHECK(has(missing.err, "Output \"nope\" not found"));
  CHECK(w.tf({"output", "-raw", "-json", "active"}).exit_code == 1);

  RunResult list = w.tf({"state", "list"});
  CHECK(list.out ==
        "aws_lightsail_static_ip.this\n"
        "module.slot[\"blue\"].aws_lightsail_instance.this\n"
        "module.slot[\"blue\"].aws_lightsail_instance_public_ports.this\n"
        "module.slot[\"green\"].aws_lightsail_instance.this\n"
        "module.slot[\"green\"].aws_lightsail_instance_public_ports.this\n"
        "module.upgrade.aws_lightsail_static_ip_attachment.this\n"
        "module.upgrade.terraform_data.healthy\n");
  CHECK(w.tf({"state", "list", "module.slot[\"green\"]"}).out ==
        "module.slot[\"green\"].aws_lightsail_instance.this\n"
        "module.slot[\"green\"].aws_lightsail_instance_public_ports.this\n");

  json show = json::parse(w.tf({"show", "-json"}).out);
  CHECK(show["format_version"] == "1.0");
  CHECK(show["values"]["outputs"]["active"]["value"] == "blue");
  std::vector<std::string> modules;
  for (const auto& m : show["values"]["root_module"]["child_modules"])
    modules.push_back(m["address"]);
  CHECK(modules == std::vector<std::string>{"module.slot[\"blue\"]", "module.slot[\"green\"]",
                                            "module.upgrade"});
  json state = w.state();
  RunResult pull = w.tf({"state", "pull"});  // the state file as is: version 4, serial, lineage
  REQUIRE(pull.exit_code == 0);
  CHECK(pull.out == w.read("terraform.tfstate"));
  CHECK(json::parse(pull.out)["version"] == 4);
  CHECK(state["serial"].get<int>() > 1);
  CHECK(state["lineage"].get<std::string>().size() == 36);
  // The next write keeps the previous state as the backup.
  REQUIRE(w.tf({"apply", "-auto-approve", "-var=deploy=blue", "-var=verified=blue"}).exit_code ==
          0);
  REQUIRE(w.exists("terraform.tfstate.backup"));
  CHECK(json::parse(w.read("terraform.tfstate.backup"))["serial"] == state["serial"]);
  CHECK(w.state()["lineage"] == state["lineage"]);
}

TEST_CASE_METHOD(InitialisedWorkdir, "a plan is refused once the state changed after it was made") {
  REQUIRE(w.tf({"plan", "-out=first", "-var=deploy=blue", "-var=verified=blue"}).exit_code == 0);
  REQUIRE(w.tf({"plan", "-out=second", "-var=deploy=blue", "-var=verified=blue"}).exit_code == 0);
  REQUIRE(w.tf({"apply", "first"}).exit_code == 0);
  std::string state = w.read("terraform.tfstate");
  RunResult stale = w.tf({"apply", "-no-color", "second"});
  CHECK(stale.exit_code == 1);
  CHECK(has(stale.err, "Error: Saved plan is stale"));
  CHECK(has(stale.err, "can no longer be applied because the state was changed"));
  CHECK(w.read("terraform.tfstate") == state);
}

TEST_CASE("the call log records each invocation and never a secret value") {
  HealthServer server;
  Workdir w;
  w.fake_config(health_config(server.port()));
  Env env{{"TF_VAR_api_key", "s3cr3t-from-env"}, {"TF_IN_AUTOMATION", "1"}};
  REQUIRE(w.tf({"init", "-input=false"}, env).exit_code == 0);
  RunResult apply = w.tf({"apply", "-auto-approve", "-var=api_key=s3cr3t-from-argv", "-var",
                          "api_key=s3cr3t-spaced", "-var=deploy=blue", "-var=verified=blue"},
                         env);
  REQUIRE(apply.exit_code == 0);
  CHECK(w.tf({"plan", "-var=deploy=pink"}, env).exit_code == 1);
  auto calls = w.calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[0]["subcommand"] == "init");
  CHECK(calls[1]["subcommand"] == "apply");
  CHECK(calls[1]["exit_code"] == 0);
  CHECK(calls[2]["exit_code"] == 1);
  CHECK(calls[1]["tf_in_automation"] == true);
  CHECK(calls[1]["tf_vars"] == json::array({"api_key"}));
  CHECK(calls[1]["argv"][2] == "-var=api_key=<sensitive>");
  CHECK(calls[1]["argv"][4] == "api_key=<sensitive>");
  CHECK(calls[1]["cwd"] == w.path().string());
  CHECK(calls[1]["signals"] == json::array());
  CHECK(calls[1].contains("started_at"));
  CHECK(calls[1].contains("duration_ms"));
  std::string everything =
      w.read(".fake-terraform/calls.jsonl") + w.read("terraform.tfstate") + apply.out + apply.err;
  CHECK_FALSE(has(everything, "s3cr3t"));
  // FAKE_TF_LOG moves the log.
  Workdir logs(false);
  Env moved{{"FAKE_TF_LOG", (logs / "calls.jsonl").string()}};
  CHECK(w.tf({"version"}, moved).exit_code == 0);
  CHECK(has(logs.read("calls.jsonl"), "\"subcommand\":\"version\""));
  CHECK(w.calls().size() == 3);
}
