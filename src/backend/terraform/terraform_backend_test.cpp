// How the Terraform backend reacts to what Terraform says: exit codes, plan
// contents, missing init. The commands are scripted with FakeCommandRunner;
// the real round trip against the fake `terraform` binary is in
// tests/integration.
#include "backend/terraform/terraform_backend.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "process/fake_command_runner.h"

using namespace xd;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  fs::path dir;
  FakeCommandRunner runner;
  std::vector<std::string> lines;
  TerraformSettings settings;

  Fixture() {
    dir = fs::temp_directory_path() / fs::path("xd-tfb-" + std::to_string(::getpid()) + "-" +
                                               std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::create_directories(dir / ".terraform");
    settings.chdir = dir.string();
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  TerraformBackend backend() {
    return TerraformBackend(settings, runner,
                            [this](std::string_view step, std::string_view line, bool) {
                              lines.push_back(std::string(step) + ": " + std::string(line));
                            });
  }
};

const char* kPlanTeal = R"({"format_version":"1.2","resource_changes":[
  {"address":"module.slot[\"green\"].aws_lightsail_instance.this","change":{"actions":["create"]}}]})";
const char* kPlanDrift = R"({"format_version":"1.2","resource_changes":[
  {"address":"module.slot[\"green\"].aws_lightsail_instance.this","change":{"actions":["create"]}},
  {"address":"module.slot[\"blue\"].aws_lightsail_instance.this","change":{"actions":["delete","create"]}}]})";

FakeOutcome out(std::vector<std::string> out_lines, std::vector<std::string> err_lines,
                int exit_code) {
  FakeOutcome o;
  o.stdout_lines = std::move(out_lines);
  o.stderr_lines = std::move(err_lines);
  o.exit_code = exit_code;
  return o;
}

const Deployment kBlue{Color::Blue, std::nullopt};
const Step kTeal{StepKind::CreateSlot, Color::Green, Deployment{Color::Blue, Color::Green}};

}  // namespace

TEST_CASE("a step is plan, show, apply with the saved plan") {
  Fixture f;
  f.runner.push(out({"Plan: 2 to add, 0 to change, 0 to destroy."}, {}, 2));
  f.runner.push(out({kPlanTeal}, {}, 0));
  f.runner.push(out({"Apply complete! Resources: 2 added, 0 changed, 0 destroyed."}, {}, 0));
  auto b = f.backend();
  auto outcome = b.run(kTeal, kBlue, false);
  CHECK(outcome.ok());
  const auto cmds = f.runner.commands();
  REQUIRE(cmds.size() == 3);
  CHECK_THAT(cmds[0], Catch::Contains("plan") && Catch::Contains("-var=deploy=green,blue") &&
                          Catch::Contains("-out=.xdeploy/plans/create-green.tfplan"));
  CHECK_THAT(cmds[1], Catch::Contains("show -json .xdeploy/plans/create-green.tfplan"));
  CHECK_THAT(cmds[2],
             Catch::Contains("apply") && Catch::Contains(".xdeploy/plans/create-green.tfplan"));
  CHECK(outcome.commands.size() == 3);
  // Terraform's lines reach the sink with the step as prefix.
  CHECK(std::find(f.lines.begin(), f.lines.end(),
                  "create-green: Plan: 2 to add, 0 to change, 0 to destroy.") != f.lines.end());
  for (const auto& spec : f.runner.calls())
    CHECK(std::find(spec.env.begin(), spec.env.end(),
                    std::pair<std::string, std::string>{"TF_IN_AUTOMATION", "1"}) !=
          spec.env.end());
}

TEST_CASE("no changes (plan exit 0) costs one invocation") {
  Fixture f;
  f.runner.push(out({"No changes."}, {}, 0));
  auto b = f.backend();
  auto outcome = b.run(kTeal, kBlue, false);
  CHECK(outcome.ok());
  CHECK(f.runner.calls().size() == 1);
}

TEST_CASE("a plan outside the step's scope is refused before apply") {
  Fixture f;
  f.runner.push(out({}, {}, 2));
  f.runner.push(out({kPlanDrift}, {}, 0));
  auto b = f.backend();
  auto outcome = b.run(kTeal, kBlue, false);
  CHECK(outcome.code == ExitCode::Refused);
  CHECK_THAT(outcome.message,
             Catch::Contains(R"(replace module.slot["blue"].aws_lightsail_instance.this)"));
  CHECK_THAT(outcome.hint, Catch::Contains("nothing was applied"));
  CHECK(f.runner.calls().size() == 2);  // never reached apply
}

TEST_CASE("dry run stops after the guard") {
  Fixture f;
  f.runner.push(out({}, {}, 2));
  f.runner.push(out({kPlanTeal}, {}, 0));
  auto b = f.backend();
  CHECK(b.run(kTeal, kBlue, true).ok());
  CHECK(f.runner.calls().size() == 2);
}

TEST_CASE("a failing plan reports Terraform's error in one line") {
  Fixture f;
  f.runner.push(out({},
                    {"", "Error: Error acquiring the state lock", "",
                     "Error message: resource temporarily unavailable"},
                    1));
  auto b = f.backend();
  auto outcome = b.run(kTeal, kBlue, false);
  CHECK(outcome.code == ExitCode::Failed);
  CHECK_THAT(outcome.message, Catch::Contains("terraform plan failed (exit 1)") &&
                                  Catch::Contains("Error acquiring the state lock"));
}

TEST_CASE("a plan refused by a held state lock names the lock and the force-unlock command") {
  Fixture f;
  f.runner.push(out({},
                    {"", "Error: Error acquiring the state lock", "",
                     "Error message: operation error S3: PutObject, StatusCode: 412", "Lock Info:",
                     "  ID:        5f1e-lock", "  Path:      tfstate/e2e/terraform.tfstate",
                     "  Operation: OperationTypeApply", "  Who:       root@vm",
                     "  Created:   2026-12-01 13:40:01 +0000 UTC"},
                    1));
  auto b = f.backend();
  auto outcome = b.run(kTeal, kBlue, false);
  CHECK(outcome.code == ExitCode::Failed);
  CHECK_THAT(outcome.message, Catch::Contains("lock ID 5f1e-lock"));
  CHECK_THAT(outcome.hint, Catch::Contains("force-unlock 5f1e-lock`"));
  CHECK_THAT(outcome.hint, Catch::Contains("never unlocks by itself"));
  REQUIRE(f.runner.calls().size() == 1);  // no force-unlock, no apply
}

TEST_CASE("a failing apply is a failure with the way forward") {
  Fixture f;
  f.runner.push(out({}, {}, 2));
  f.runner.push(out({kPlanTeal}, {}, 0));
  f.runner.push(out({}, {"Error: creating Lightsail Instance: quota exceeded"}, 1));
  auto b = f.backend();
  auto outcome = b.run(kTeal, kBlue, false);
  CHECK(outcome.code == ExitCode::Failed);
  CHECK_THAT(outcome.message, Catch::Contains("quota exceeded"));
  CHECK_THAT(outcome.hint, Catch::Contains("xdeploy status"));
}

TEST_CASE("an interrupted apply is reported as interrupted") {
  Fixture f;
  f.runner.push(out({}, {}, 2));
  f.runner.push(out({kPlanTeal}, {}, 0));
  FakeOutcome interrupted = out({}, {"Interrupt received."}, 1);
  interrupted.interrupts_forwarded = 1;
  f.runner.push(interrupted);
  auto b = f.backend();
  CHECK(b.run(kTeal, kBlue, false).code == ExitCode::Interrupted);
}

TEST_CASE("init runs once, only when the working dir is not initialised") {
  Fixture f;
  fs::remove_all(f.dir / ".terraform");
  f.runner.push(out({"Terraform has been successfully initialized!"}, {}, 0));
  f.runner.push(out({"{}"}, {}, 0));
  auto b = f.backend();
  auto state = b.read_state();
  REQUIRE(state.ok());
  CHECK(state.value->deployment.empty());
  REQUIRE(f.runner.commands().size() == 2);
  CHECK_THAT(f.runner.commands()[0], Catch::Contains("init -input=false"));
  CHECK_THAT(f.runner.commands()[1], Catch::Contains("output -json"));
}

TEST_CASE("a missing terraform binary says what to set") {
  Fixture f;
  FakeOutcome missing;
  missing.started = false;
  missing.error = "cannot run \"terraform\": No such file or directory";
  f.runner.push(missing);
  auto b = f.backend();
  auto state = b.read_state();
  CHECK_FALSE(state.ok());
  CHECK_THAT(state.error, Catch::Contains("XDEPLOY_TERRAFORM"));
}

TEST_CASE("malformed output -json stops before any plan") {
  Fixture f;
  f.runner.push(out({"{\"active\": {\"value\": \"purple\"}}"}, {}, 0));
  auto b = f.backend();
  auto state = b.read_state();
  CHECK_FALSE(state.ok());
  CHECK_THAT(state.error, Catch::Contains("purple"));
  CHECK(f.runner.calls().size() == 1);
}

TEST_CASE("a missing working dir is a usage error and runs nothing") {
  Fixture f;
  f.settings.chdir = (f.dir / "nope").string();
  auto b = f.backend();
  auto state = b.read_state();
  CHECK(state.code == ExitCode::Usage);
  CHECK(f.runner.calls().empty());
}

// Real Terraform: -target=module.slot["blue"] pulls in the claims bucket (a
// dependency) but not its access block; the first attach then planned the block
// and the guard refused it (exit 4 on the very first `xdeploy blue`).
TEST_CASE("the first deploy's plan targets the shared claims bucket and its access block") {
  Fixture f;
  f.runner.push(out({}, {}, 0));  // plan: no changes is enough to see the argv
  auto b = f.backend();
  const Step bootstrap{StepKind::Bootstrap, Color::Blue, Deployment{std::nullopt, std::nullopt}};
  b.run(bootstrap, Deployment{std::nullopt, std::nullopt}, false);
  const auto cmds = f.runner.commands();
  REQUIRE_FALSE(cmds.empty());
  CHECK_THAT(cmds[0], Catch::Contains("-target=aws_s3_bucket.claims") &&
                          Catch::Contains("-target=aws_s3_bucket_public_access_block.claims") &&
                          Catch::Contains("-target=aws_lightsail_static_ip.this"));
}
