// Go-style flag parsing, global options and argument errors (facts §1.1-§1.4, §2), each shown
// with its exact text and that nothing changed.
#include <catch2/catch.hpp>

#include "test_support/fake_tf_harness.h"

using namespace xd::testing;
using nlohmann::json;

namespace {
json plan_json(const Workdir& w) {
  RunResult show = w.tf({"show", "-json", "tfplan"});
  REQUIRE(show.exit_code == 0);
  return json::parse(show.out);
}
}  // namespace

TEST_CASE("an unknown flag is Go's error plus the help prompt, exit 1, nothing written") {
  Workdir w;
  REQUIRE(w.tf({"init"}).exit_code == 0);
  RunResult r = w.tf({"plan", "-no-color", "-bogus", "-var=deploy=blue"});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "Error: Failed to parse command-line flags"));
  CHECK(has(r.err, "flag provided but not defined: -bogus"));
  CHECK(has(r.err, "For more help on using this command, run:\n  terraform plan -help\n"));
  CHECK_FALSE(w.exists("terraform.tfstate"));
  RunResult apply_detailed = w.tf({"apply", "-detailed-exitcode"});
  CHECK(apply_detailed.exit_code == 1);
  CHECK(has(apply_detailed.err, "flag provided but not defined: -detailed-exitcode"));
}

TEST_CASE("-flag, --flag, -flag=x and -flag x are equivalent; bools refuse the space form") {
  Workdir w;
  REQUIRE(w.tf({"init"}).exit_code == 0);
  const std::string target = "module.slot[\"blue\"]";
  for (const auto& form : std::vector<std::vector<std::string>>{{"-target", target},
                                                                {"--target=" + target},
                                                                {"--target", target},
                                                                {"-target=" + target}}) {
    std::vector<std::string> args{"plan", "-out=tfplan", "-var", "deploy=blue"};
    args.insert(args.end(), form.begin(), form.end());
    RunResult r = w.tf(args);
    INFO(form[0]);
    REQUIRE(r.exit_code == 0);
    json plan = plan_json(w);
    CHECK(plan["target_addrs"] == json::array({target}));
    for (const auto& rc : plan["resource_changes"])
      CHECK(rc["address"].get<std::string>().rfind(target, 0) == 0);
  }
  // "-input false": false is the first positional argument, so parsing stops there.
  RunResult space_bool = w.tf({"plan", "-input", "false", "-var=deploy=blue"});
  CHECK(space_bool.exit_code == 1);
  CHECK(has(space_bool.err, "Too many command line arguments"));
  RunResult bad_bool = w.tf({"plan", "-input=maybe", "-var=deploy=blue"});
  CHECK(bad_bool.exit_code == 1);
  CHECK(has(bad_bool.err, "invalid boolean value \"maybe\" for -input: parse error"));
  RunResult missing = w.tf({"plan", "-var=deploy=blue", "-out"});
  CHECK(missing.exit_code == 1);
  CHECK(has(missing.err, "flag needs an argument: -out"));
  RunResult bad_timeout = w.tf({"plan", "-lock-timeout=soon", "-var=deploy=blue"});
  CHECK(bad_timeout.exit_code == 1);
  CHECK(has(bad_timeout.err, "invalid value \"soon\" for flag -lock-timeout: parse error"));
}

TEST_CASE("-chdir must use '=' and must come before the subcommand") {
  Workdir w;
  Workdir elsewhere(false);
  RunResult bad = run_fake({"-chdir", w.path().string(), "init"}, elsewhere.path());
  CHECK(bad.exit_code == 1);
  CHECK(has(bad.err,
            "Invalid -chdir option: must include an equals sign followed by a directory path, "
            "like -chdir=example"));
  CHECK_FALSE(w.exists(".terraform"));
  RunResult good = run_fake({"-chdir=" + w.path().string(), "init"}, elsewhere.path());
  CHECK(good.exit_code == 0);
  CHECK(has(good.out, "Terraform has been successfully initialized!"));
  CHECK(w.exists(".terraform"));
  CHECK_FALSE(elsewhere.exists(".terraform"));
}

TEST_CASE("version flags anywhere, unknown subcommands, TF_CLI_ARGS insertion") {
  Workdir w;
  for (const char* flag : {"-v", "-version", "--version"}) {
    RunResult r = w.tf({"plan", flag});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "Terraform v1.15.9\non linux_amd64\n");
  }
  RunResult json_version = w.tf({"version", "-json"});
  CHECK(json::parse(json_version.out)["terraform_version"] == "1.15.9");
  RunResult typo = w.tf({"plna"});
  CHECK(typo.exit_code == 1);
  CHECK(has(typo.err, "Terraform has no command named \"plna\". Did you mean \"plan\"?"));

  REQUIRE(w.tf({"init"}).exit_code == 0);
  RunResult via_env =
      w.tf({"plan", "-out=tfplan"}, {{"TF_CLI_ARGS_plan", "-var=deploy=blue -input=false"}});
  CHECK(via_env.exit_code == 0);
  CHECK(w.calls().back()["argv"] == json::array({"plan", "-out=tfplan"}));
  RunResult broken = w.tf({"output"}, {{"TF_CLI_ARGS", "-auto-approve"}});
  CHECK(broken.exit_code == 1);
  CHECK(has(broken.err, "flag provided but not defined: -auto-approve"));
}

TEST_CASE("plan before init, without configuration, or with bad variables fails with exit 1") {
  Workdir w;
  RunResult before_init = w.tf({"plan", "-no-color", "-var=deploy=blue"});
  CHECK(before_init.exit_code == 1);
  CHECK(has(before_init.err, "Error: Inconsistent dependency lock file"));
  CHECK(has(before_init.err, "required by this configuration but no version is selected"));

  Workdir empty(false);
  RunResult init_empty = empty.tf({"init"});
  CHECK(init_empty.exit_code == 0);
  CHECK(has(init_empty.out, "Terraform initialized in an empty directory!"));
  RunResult no_config = empty.tf({"plan", "-no-color", "-var=deploy=blue"});
  CHECK(no_config.exit_code == 1);
  CHECK(has(no_config.err, "Error: No configuration files"));

  REQUIRE(w.tf({"init"}).exit_code == 0);
  struct Case {
    std::string value, problem;
  };
  for (const auto& c : std::vector<Case>{{"purple", "Unknown color \"purple\""},
                                         {"blue,blue", "Duplicate color \"blue\""},
                                         {"blue,green,blue", "Duplicate color \"blue\""},
                                         {" , ", "The deploy list is empty."},
                                         {"", "The deploy list is empty."}}) {
    RunResult r = w.tf({"plan", "-no-color", "-var=deploy=" + c.value});
    INFO(c.value);
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "Error: Invalid value for variable"));
    CHECK(has(r.err, c.problem));
  }
  RunResult trimmed = w.tf({"plan", "-out=tfplan", "-var=deploy= green , blue "});
  CHECK(trimmed.exit_code == 0);
  RunResult undeclared = w.tf({"plan", "-no-color", "-var=deploy=blue", "-var=colour=red"});
  CHECK(undeclared.exit_code == 1);
  CHECK(has(undeclared.err, "Error: Value for undeclared variable"));
  CHECK(has(undeclared.err, "A variable named \"colour\" was assigned on the command line"));
  RunResult no_equals = w.tf({"plan", "-no-color", "-var=deploy"});
  CHECK(no_equals.exit_code == 1);
  CHECK(has(no_equals.err, "Error: Invalid -var option"));
  RunResult missing = w.tf({"plan", "-input=false", "-no-color"});
  CHECK(missing.exit_code == 1);
  CHECK(has(missing.err, "Error: No value for required variable"));
  RunResult module_replace =
      w.tf({"plan", "-no-color", "-var=deploy=blue", "-replace=module.slot[\"blue\"]"});
  CHECK(module_replace.exit_code == 1);
  CHECK(has(module_replace.err, "Error: Invalid force-replace address"));
  RunResult bad_target =
      w.tf({"plan", "-no-color", "-var=deploy=blue", "-target=module.slot[blue"});
  CHECK(bad_target.exit_code == 1);
  CHECK(has(bad_target.err, "Error: Invalid target \"module.slot[blue\""));
  CHECK_FALSE(w.exists("terraform.tfstate"));
}

TEST_CASE("TF_VAR_ and var files feed declared variables; -var wins") {
  Workdir w;
  REQUIRE(w.tf({"init"}).exit_code == 0);
  CHECK(w.tf({"plan", "-out=tfplan"}, {{"TF_VAR_deploy", "green"}}).exit_code == 0);
  CHECK(plan_json(w)["variables"]["deploy"]["value"] == "green");
  w.write("vars.json", R"({"deploy": "blue"})");
  CHECK(w.tf({"plan", "-out=tfplan", "-var-file=vars.json"}, {{"TF_VAR_deploy", "green"}})
            .exit_code == 0);
  CHECK(plan_json(w)["variables"]["deploy"]["value"] == "blue");
  w.write("more.tfvars", "deploy = \"green,blue\"\n");
  CHECK(w.tf({"plan", "-out=tfplan", "-var=deploy=blue", "-var-file=more.tfvars"}).exit_code == 0);
  CHECK(plan_json(w)["variables"]["deploy"]["value"] == "green,blue");
  RunResult missing_file = w.tf({"plan", "-var-file=nope.tfvars"});
  CHECK(missing_file.exit_code == 1);
  CHECK(has(missing_file.err, "Given variables file nope.tfvars does not exist."));
}

TEST_CASE("-detailed-exitcode: 2 with changes, 0 without, 1 on error") {
  Workdir w;
  REQUIRE(w.tf({"init"}).exit_code == 0);
  CHECK(w.tf({"plan", "-detailed-exitcode", "-var=deploy=blue"}).exit_code == 2);
  CHECK(w.tf({"plan", "-detailed-exitcode", "-var=deploy=pink"}).exit_code == 1);
  CHECK(w.tf({"plan", "-var=deploy=blue"}).exit_code == 0);
}

TEST_CASE("apply without -auto-approve asks; anything but yes cancels and changes nothing") {
  Workdir w;
  REQUIRE(w.tf({"init"}).exit_code == 0);
  RunResult no = w.tf({"apply", "-no-color", "-var=deploy=blue", "-var=verified=blue"}, {}, "no\n");
  CHECK(no.exit_code == 1);
  CHECK(has(no.out, "Do you want to perform these actions?"));
  CHECK(has(no.out, "Apply cancelled."));
  CHECK_FALSE(w.exists("terraform.tfstate"));
  RunResult eof =
      w.tf({"apply", "-input=false", "-no-color", "-var=deploy=blue", "-var=verified=blue"});
  CHECK(eof.exit_code == 1);
  CHECK(has(eof.err, "error asking for approval: EOF"));
  RunResult json_mode = w.tf({"apply", "-json", "-var=deploy=blue", "-var=verified=blue"});
  CHECK(json_mode.exit_code == 1);
  CHECK(has(json_mode.out, "Plan file or auto-approve required"));
  CHECK_FALSE(w.exists("terraform.tfstate"));
}

TEST_CASE("a saved plan refuses -var and -target, and a second positional argument") {
  Workdir w;
  REQUIRE(w.tf({"init"}).exit_code == 0);
  REQUIRE(w.tf({"plan", "-out=tfplan", "-var=deploy=blue"}).exit_code == 0);
  RunResult with_var = w.tf({"apply", "-no-color", "-var=deploy=blue", "tfplan"});
  CHECK(with_var.exit_code == 1);
  CHECK(has(with_var.err, "Error: Can't set variables when applying a saved plan"));
  RunResult with_target = w.tf({"apply", "-target=aws_lightsail_static_ip.this", "tfplan"});
  CHECK(with_target.exit_code == 1);
  RunResult flag_after = w.tf({"apply", "tfplan", "-auto-approve"});
  CHECK(flag_after.exit_code == 1);
  CHECK(has(flag_after.err, "Too many command line arguments"));
  RunResult garbage = w.tf({"apply", "main.tf"});
  CHECK(garbage.exit_code == 1);
  CHECK(has(garbage.err, "Failed to load \"main.tf\" as a plan file"));
  CHECK_FALSE(w.exists("terraform.tfstate"));
}

TEST_CASE("-json streams one object per line, version first, diagnostics on stdout") {
  Workdir w;
  REQUIRE(w.tf({"init"}).exit_code == 0);
  RunResult r = w.tf({"plan", "-json", "-var=deploy=blue"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  std::vector<json> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  REQUIRE(lines.size() > 2);
  CHECK(lines[0]["type"] == "version");
  CHECK(lines[0]["terraform"] == "1.15.9");
  CHECK(lines[0]["ui"] == "1.3");
  CHECK(lines[0]["@module"] == "terraform.ui");
  CHECK(lines.back()["type"] == "change_summary");
  CHECK(lines.back()["@message"] == "Plan: 5 to add, 0 to change, 0 to destroy.");
  CHECK(lines.back()["changes"]["operation"] == "plan");
  int planned = 0;
  for (const auto& l : lines) planned += l["type"] == "planned_change";
  CHECK(planned == 5);  // five creates; no data source any more
  RunResult bad = w.tf({"plan", "-json", "-var=deploy=pink"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.empty());
  CHECK(has(bad.out, "\"type\":\"diagnostic\""));
  CHECK(has(bad.out, "\"@message\":\"Error: Invalid value for variable\""));
}
