// How the Terraform backend reacts to what Terraform says: exit codes, plan
// contents, missing init. The commands are scripted with FakeCommandRunner;
// the real round trip against the fake `terraform` binary is in
// tests/integration.
#include "terraform_backend.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "plan_file_guard.h"
#include "support/fake_command_runner.h"

using xd::testing::FakeCommandRunner;
using xd::testing::FakeOutcome;

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
  CHECK_THAT(cmds[1], Catch::Contains("show -no-color -json .xdeploy/plans/create-green.tfplan"));
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
  CHECK_THAT(f.runner.commands()[1], Catch::Contains("output -no-color -json"));
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

namespace {

const char* kPlanOutputsOnly = R"({"format_version":"1.2","resource_changes":[
  {"address":"module.slot[\"blue\"].aws_lightsail_instance.this","change":{"actions":["no-op"]}},
  {"address":"module.upgrade.data.http.health","change":{"actions":["read"]}}],
  "output_changes":{"current_build":{"actions":["update"]}}})";

// Like Terraform: the plan call writes the plan file (with the umask's mode);
// later calls see what xdeploy made of it.
class PlanWritingRunner : public CommandRunner {
 public:
  PlanWritingRunner(FakeCommandRunner& inner, fs::path dir) : inner_(inner), dir_(std::move(dir)) {}
  ProcessResult run(const ProcessSpec& spec, const LineSink& out, const LineSink& err) override {
    const auto& sub = spec.argv.at(2);
    if (sub == "plan") {
      std::ofstream(dir_ / ".xdeploy/plans/create-green.tfplan") << "plan with secrets";
      fs::permissions(dir_ / ".xdeploy/plans/create-green.tfplan", fs::perms(0644));
    } else {
      std::error_code ec;
      modes.push_back(fs::status(dir_ / ".xdeploy/plans/create-green.tfplan", ec).permissions());
      dir_modes.push_back(fs::status(dir_ / ".xdeploy/plans", ec).permissions());
    }
    return inner_.run(spec, out, err);
  }
  std::vector<fs::perms> modes, dir_modes;

 private:
  FakeCommandRunner& inner_;
  fs::path dir_;
};

}  // namespace

TEST_CASE("exit 2 with only output changes: nothing to apply, and it says so") {
  Fixture f;
  f.runner.push(out({}, {}, 2));
  f.runner.push(out({kPlanOutputsOnly}, {}, 0));
  auto b = f.backend();
  auto outcome = b.run(kTeal, kBlue, false);
  CHECK(outcome.ok());
  CHECK_THAT(outcome.message, Catch::Contains("nothing to apply") && Catch::Contains("1 output"));
  CHECK(f.runner.calls().size() == 2);  // no apply
}

TEST_CASE("a plan the guard cannot read is refused (exit 4), never applied") {
  for (
      const auto& show : std::vector<std::string>{
          std::string(R"({"format_version":"1.2"})"),
          std::string(R"({"format_version":"1.2","resource_changes":null})"),
          std::string(R"({"format_version":"1.2","resource_changes":{}})"),
          std::string(
              R"({"format_version":"1.2","resource_changes":[{"address":"module.slot[\"green\"].x.y","change":{"actions":[]}}]})"),
          std::string(R"({"format_version":"2.0","resource_changes":[]})"),
          std::string(R"({"format_version":"1.2","errored":true,"resource_changes":[]})"),
          std::string(R"({"format_version":"1.2","applyable":false,"resource_changes":[]})"),
          std::string(R"({"format_version":"1.2","deferred_changes":[{}],"resource_changes":[]})"),
          std::string(
              R"({"format_version":"1.2","resource_changes":[{"address":"module.upgrade.aws_lightsail_static_ip_attachment.this","change":{"actions":["no-op"],"importing":{"id":"x"}}}]})"),
          std::string("Terraform says hello"), std::string("")}) {
    INFO(show);
    Fixture f;
    f.runner.push(out({}, {}, 2));
    f.runner.push(out({show}, {}, 0));
    auto b = f.backend();
    auto outcome = b.run(kTeal, kBlue, false);
    CHECK(outcome.code == ExitCode::Refused);
    CHECK_THAT(outcome.hint, Catch::Contains("nothing was applied"));
    CHECK(f.runner.calls().size() == 2);
  }
}

TEST_CASE("show -json and output -json bodies are never echoed, only summarised") {
  Fixture f;
  const std::string secret = "pl4nted-s3cret";
  const std::string plan =
      std::string(R"({"format_version":"1.2","variables":{"falconx_secret_key":{"value":")") +
      secret + R"("}},"resource_changes":[
    {"address":"module.slot[\"green\"].aws_lightsail_instance.this","change":{"actions":["create"]}}]})";
  f.runner.push(
      out({R"({"falconx_secret_key":{"sensitive":true,"value":")" + secret + R"("}})"}, {}, 0));
  f.runner.push(out({}, {}, 2));
  f.runner.push(out({plan}, {}, 0));
  f.runner.push(out({"Apply complete! Resources: 2 added, 0 changed, 0 destroyed."}, {}, 0));
  auto b = f.backend();
  REQUIRE(b.read_state().ok());
  REQUIRE(b.run(kTeal, kBlue, false).ok());
  std::string all;
  for (const auto& l : f.lines) all += l + "\n";
  CHECK_THAT(all, !Catch::Contains(secret));
  CHECK_THAT(all, Catch::Contains("plan read: 1 resource change(s)"));
  CHECK_THAT(all, Catch::Contains("outputs read"));
  CHECK_THAT(all, Catch::Contains("Apply complete!"));  // human output still streams
}

TEST_CASE("plan files are owner-only while they exist and removed on every path") {
  for (int apply_exit : {0, 1}) {
    Fixture f;
    PlanWritingRunner runner(f.runner, f.dir);
    f.runner.push(out({}, {}, 2));
    f.runner.push(out({kPlanTeal}, {}, 0));
    f.runner.push(
        out({"Apply complete! Resources: 2 added, 0 changed, 0 destroyed."}, {}, apply_exit));
    TerraformBackend b(f.settings, runner, [](std::string_view, std::string_view, bool) {});
    b.run(kTeal, kBlue, false);
    REQUIRE(runner.modes.size() == 2);
    CHECK(runner.modes[0] == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(runner.dir_modes[0] == fs::perms::owner_all);
    CHECK(fs::status(f.dir / ".xdeploy").permissions() == fs::perms::owner_all);
    CHECK_FALSE(fs::exists(f.dir / ".xdeploy/plans/create-green.tfplan"));
  }
  Fixture refused;
  PlanWritingRunner runner(refused.runner, refused.dir);
  refused.runner.push(out({}, {}, 2));
  refused.runner.push(out({kPlanDrift}, {}, 0));
  TerraformBackend b(refused.settings, runner, [](std::string_view, std::string_view, bool) {});
  CHECK(b.run(kTeal, kBlue, false).code == ExitCode::Refused);
  CHECK_FALSE(fs::exists(refused.dir / ".xdeploy/plans/create-green.tfplan"));
}

TEST_CASE("stale plans are removed, other files are not") {
  Fixture f;
  fs::create_directories(f.dir / "plans");
  std::ofstream(f.dir / "plans/a.tfplan") << "x";
  std::ofstream(f.dir / "plans/b.tfplan") << "x";
  std::ofstream(f.dir / "plans/README") << "x";
  CHECK(remove_stale_plans(f.dir / "plans") == 2);
  CHECK(fs::exists(f.dir / "plans/README"));
  CHECK(remove_stale_plans(f.dir / "missing") == 0);
}

TEST_CASE("an apply that exits 0 having done nothing is a failure") {
  Fixture f;
  f.runner.push(out({}, {}, 2));
  f.runner.push(out({kPlanTeal}, {}, 0));
  f.runner.push(out({"Apply complete! Resources: 0 added, 0 changed, 0 destroyed."}, {}, 0));
  auto b = f.backend();
  auto outcome = b.run(kTeal, kBlue, false);
  CHECK(outcome.code == ExitCode::Failed);
  CHECK_THAT(outcome.message, Catch::Contains("applied none of the planned changes"));
}

TEST_CASE("init failing stops the read, with Terraform's reason") {
  Fixture f;
  fs::remove_all(f.dir / ".terraform");
  f.runner.push(
      out({}, {"", "\x1b[31mError: \x1b[0mFailed to query available provider packages", ""}, 1));
  auto b = f.backend();
  auto state = b.read_state();
  CHECK_FALSE(state.ok());
  CHECK(state.code == ExitCode::Failed);
  CHECK_THAT(state.error,
             Catch::Contains("terraform init failed (exit 1)") &&
                 Catch::Contains("Error: Failed to query available provider packages"));
  CHECK_THAT(state.error, !Catch::Contains("\x1b"));
  CHECK(f.runner.calls().size() == 1);
}

TEST_CASE("a plan that cannot start says what to set and applies nothing") {
  Fixture f;
  FakeOutcome missing;
  missing.started = false;
  missing.error = "cannot run \"terraform\": Permission denied";
  f.runner.push(missing);
  auto b = f.backend();
  auto outcome = b.run(kTeal, kBlue, false);
  CHECK(outcome.code == ExitCode::Failed);
  CHECK_THAT(outcome.message,
             Catch::Contains("Permission denied") && Catch::Contains("XDEPLOY_TERRAFORM"));
  CHECK(outcome.commands.size() == 1);
  CHECK(f.runner.calls().size() == 1);
}

TEST_CASE("after a failed apply, reads check the outputs against the state") {
  Fixture f;
  f.runner.push(out({}, {}, 2));
  f.runner.push(out({kPlanTeal}, {}, 0));
  f.runner.push(out({}, {"Error: interrupted"}, 1));
  // outputs still say blue is active; the state has no attachment any more
  f.runner.push(out(
      {R"({"active":{"value":"blue"},"slots":{"value":{"blue":{"instance_name":"web-blue","health_url":"http://b"}}}})"},
      {}, 0));
  f.runner.push(out(
      {R"({"version":4,"serial":7,"resources":[{"module":"module.slot[\"blue\"]","mode":"managed","type":"aws_lightsail_instance","name":"this","instances":[{"attributes":{"name":"web-blue","user_data":"export FALCONX_SECRET_KEY=pl4nted-s3cret"}}]}]})"},
      {}, 0));
  auto b = f.backend();
  CHECK(b.run(kTeal, kBlue, false).code == ExitCode::Failed);
  auto state = b.read_state();
  REQUIRE(state.ok());
  CHECK_FALSE(state.value->deployment.active);
  CHECK(state.value->deployment.inactive == Color::Blue);
  CHECK_THAT(f.runner.commands().back(), Catch::Contains("state pull"));
  std::string all;  // the raw state holds secrets: never echoed
  for (const auto& l : f.lines) all += l + "\n";
  CHECK_THAT(all, !Catch::Contains("pl4nted-s3cret"));
}

namespace {

// Writes the plan file a `plan -out=F` names, as Terraform would.
class OutWritingRunner : public CommandRunner {
 public:
  OutWritingRunner(FakeCommandRunner& inner, fs::path dir) : inner_(inner), dir_(std::move(dir)) {}
  ProcessResult run(const ProcessSpec& spec, const LineSink& out, const LineSink& err) override {
    for (const auto& a : spec.argv)
      if (a.rfind("-out=", 0) == 0) std::ofstream(dir_ / a.substr(5)) << "plan with -var=verified";
    return inner_.run(spec, out, err);
  }

 private:
  FakeCommandRunner& inner_;
  fs::path dir_;
};

const char* kPlanMove = R"({"format_version":"1.2","resource_changes":[
  {"address":"module.upgrade.terraform_data.healthy","change":{"actions":["delete","create"]}},
  {"address":"module.upgrade.aws_lightsail_static_ip_attachment.this","change":{"actions":["delete","create"]}}]})";
const Deployment kBlueActiveGreen{Color::Blue, Color::Green};
const Step kMove{StepKind::SwitchTraffic, Color::Green, Deployment{Color::Green, Color::Blue}};

}  // namespace

// The promote's move is planned while its gate polls, with the attestation in it: a plan that
// skips the gate if applied by hand. It must not outlive the promote, however that ends.
TEST_CASE("the promote's plan made during the gate is removed however the promote ends") {
  const auto held = [](const Fixture& f) {
    return fs::exists(f.dir / ".xdeploy/plans/switch-green.tfplan");
  };
  for (const char* ending : {"applied", "gate failed", "xdeploy left early"}) {
    INFO(ending);
    Fixture f;
    OutWritingRunner runner(f.runner, f.dir);
    f.runner.push(out({}, {}, 2));
    f.runner.push(out({kPlanMove}, {}, 0));
    f.runner.push(out({"Apply complete! Resources: 2 added, 0 changed, 2 destroyed."}, {}, 0));
    {
      TerraformBackend b(f.settings, runner, [](std::string_view, std::string_view, bool) {});
      auto prepared = b.prepare(kMove, kBlueActiveGreen);
      REQUIRE(prepared.ok());
      CHECK(held(f));                       // kept for commit() ...
      CHECK(f.runner.calls().size() == 2);  // ... and not applied yet
      if (std::string(ending) == "applied") {
        CHECK(b.commit(kMove, prepared).ok());
        CHECK(f.runner.calls().size() == 3);
        CHECK_FALSE(held(f));
      } else if (std::string(ending) == "gate failed") {
        b.discard(kMove);
        CHECK_FALSE(held(f));
      }
    }
    CHECK_FALSE(held(f));
    CHECK(f.runner.calls().size() == (std::string(ending) == "applied" ? 3u : 2u));
  }
}

TEST_CASE("a refresh without an outputs event is a failure, never an empty state") {
  Fixture f;
  f.runner.push(
      out({R"({"@level":"info","@message":"Apply complete!","type":"change_summary"})"}, {}, 0));
  auto b = f.backend();
  auto state = b.refresh_state(kBlueActiveGreen, {Color::Green});
  CHECK_FALSE(state.ok());
  CHECK_THAT(state.error, Catch::Contains("no outputs"));
}

TEST_CASE("a complete address refresh clears the outputs-may-be-stale mark") {
  Fixture f;
  fs::create_directories(f.dir / ".xdeploy");
  std::ofstream(f.dir / ".xdeploy/outputs-may-be-stale") << "an apply did not finish";
  f.runner.push(out(
      {R"({"@level":"info","@message":"Outputs: 2","type":"outputs","outputs":{"active":{"value":"blue"},"slots":{"value":{"blue":{"instance_name":"web-blue","health_url":"http://b"},"green":{"instance_name":"web-green","health_url":"http://g"}}}}})"},
      {}, 0));
  auto b = f.backend();
  auto state = b.refresh_state(kBlueActiveGreen, {Color::Green});
  REQUIRE(state.ok());
  CHECK(state.value->deployment.active == Color::Blue);
  CHECK_FALSE(fs::exists(f.dir / ".xdeploy/outputs-may-be-stale"));
  CHECK_THAT(f.lines.back(), Catch::Contains("Outputs: 2") && !Catch::Contains("web-blue"));
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
