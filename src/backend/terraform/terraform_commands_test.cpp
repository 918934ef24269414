#include "terraform_commands.h"

#include <catch2/catch.hpp>

using namespace xd;
using V = std::vector<std::string>;

namespace {
TerraformSettings settings() {
  TerraformSettings s;
  s.binary = "tofu";
  s.chdir = "infra";
  s.lock_timeout = std::chrono::seconds(30);
  return s;
}
}  // namespace

TEST_CASE("init and output run in -chdir with '=' and never prompt") {
  TerraformCommands c(settings());
  CHECK(c.init() == V{"tofu", "-chdir=infra", "init", "-input=false", "-no-color"});
}

TEST_CASE("show and output never color, even when Terraform's human output may") {
  auto s = settings();
  s.color = true;
  TerraformCommands c(s);
  CHECK(c.plan(Deployment{Color::Blue, std::nullopt}, {}, "p")[3] == "-input=false");
  CHECK(c.plan(Deployment{Color::Blue, std::nullopt}, {}, "p")[4] != "-no-color");
}

TEST_CASE("plan is a saved, detailed-exitcode plan read as -json, with the deploy variable") {
  TerraformCommands c(settings());
  const Deployment d{Color::Green, Color::Blue};
  CHECK(c.plan(d, {}, ".xdeploy/plans/create-green.tfplan") ==
        V{"tofu", "-chdir=infra", "plan", "-input=false", "-json", "-lock-timeout=30s",
          "-detailed-exitcode", "-out=.xdeploy/plans/create-green.tfplan",
          "-var=deploy=blue,green"});
}

TEST_CASE("a move carries the attestation; a first deploy targets the slot and the static IP") {
  TerraformCommands c(settings());
  TerraformCommands::PlanScope move;
  move.verified = Color::Green;
  CHECK(c.plan(Deployment{Color::Green, Color::Blue}, move, "p.tfplan") ==
        V{"tofu", "-chdir=infra", "plan", "-input=false", "-json", "-lock-timeout=30s",
          "-detailed-exitcode", "-out=p.tfplan", "-var=deploy=blue,green", "-var=verified=green"});
  TerraformCommands::PlanScope create;
  create.targets = {R"(module.slot["blue"])", "aws_lightsail_static_ip.this"};
  CHECK(c.plan(Deployment{std::nullopt, Color::Blue}, create, "p.tfplan") ==
        V{"tofu", "-chdir=infra", "plan", "-input=false", "-json", "-lock-timeout=30s",
          "-detailed-exitcode", "-out=p.tfplan", "-var=deploy=blue",
          R"(-target=module.slot["blue"])", "-target=aws_lightsail_static_ip.this"});
}

// A refresh is a plan, checked, then applied: never `apply -refresh-only -auto-approve`.
TEST_CASE("a refresh is a refresh-only plan read as -json, saved to be checked") {
  auto s = settings();
  s.var_files = {"prod.tfvars"};
  TerraformCommands c(s);
  CHECK(c.refresh_plan(Deployment{Color::Green, Color::Blue},
                       {R"(module.slot["blue"].aws_lightsail_instance.this)"}, "r.tfplan") ==
        V{"tofu", "-chdir=infra", "plan", "-refresh-only", "-input=false", "-json",
          "-lock-timeout=30s", "-detailed-exitcode", "-out=r.tfplan", "-var=deploy=blue,green",
          R"(-target=module.slot["blue"].aws_lightsail_instance.this)", "-var-file=prod.tfvars"});
}

TEST_CASE("replace, var files and pass-through args follow the variable") {
  auto s = settings();
  s.color = true;
  s.var_files = {"prod.tfvars"};
  s.extra_args = {"-parallelism=2"};
  TerraformCommands c(s);
  TerraformCommands::PlanScope scope;
  scope.replace = R"(module.slot["green"].aws_lightsail_instance.this)";
  auto argv = c.plan(Deployment{Color::Blue, Color::Green}, scope, "p.tfplan");
  CHECK(argv == V{"tofu", "-chdir=infra", "plan", "-input=false", "-json", "-lock-timeout=30s",
                  "-detailed-exitcode", "-out=p.tfplan", "-var=deploy=green,blue",
                  R"(-replace=module.slot["green"].aws_lightsail_instance.this)",
                  "-var-file=prod.tfvars", "-parallelism=2"});
}

TEST_CASE("apply takes the saved plan and no variables") {
  TerraformCommands c(settings());
  CHECK(c.apply_plan("p.tfplan") == V{"tofu", "-chdir=infra", "apply", "-input=false", "-no-color",
                                      "-lock-timeout=30s", "p.tfplan"});
}

TEST_CASE("the state is read raw with state pull, which loads no provider") {
  TerraformCommands c(settings());
  CHECK(c.state_pull() == V{"tofu", "-chdir=infra", "state", "pull", "-no-color"});
}

TEST_CASE("go_duration speaks Go's syntax") {
  CHECK(go_duration(std::chrono::seconds(5)) == "5s");
  CHECK(go_duration(std::chrono::milliseconds(1500)) == "1500ms");
  CHECK(go_duration(std::chrono::milliseconds(0)) == "0s");
}

TEST_CASE("secret-looking -var values are redacted for logs and history") {
  V argv{"terraform",
         "plan",
         "-var=deploy=blue",
         "-var=falconx_api_key=abc",
         "-var",
         "webhook_secret=xyz",
         "--var=db_password=p"};
  CHECK(redact_secrets(argv) == V{"terraform", "plan", "-var=deploy=blue",
                                  "-var=falconx_api_key=***", "-var", "webhook_secret=***",
                                  "--var=db_password=***"});
}
