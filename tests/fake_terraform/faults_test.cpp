// Every FAKE_TF_FAULTS action, chosen per subcommand and invocation number.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "test_support/fake_tf_harness.h"
#include "test_support/initialised_workdir.h"

using namespace xd::testing;
using nlohmann::json;
using namespace std::chrono_literals;

TEST_CASE_METHOD(InitialisedWorkdir,
                 "fail: an error diagnostic and exit 1, only on the chosen invocation") {
  Env faults{{"FAKE_TF_FAULTS", "apply#2=fail"}};
  CHECK(w.tf({"apply", "-auto-approve", "-var=deploy=blue", "-var=verified=blue"}, faults)
            .exit_code == 0);
  std::string state = w.read("terraform.tfstate");
  RunResult second =
      w.tf({"apply", "-auto-approve", "-no-color", "-var=deploy=green,blue", "-var=verified=blue"},
           faults);
  CHECK(second.exit_code == 1);
  CHECK(has(second.err, "Error: injected failure"));
  CHECK(w.read("terraform.tfstate") == state);
  CHECK(w.tf({"apply", "-auto-approve", "-var=deploy=green,blue", "-var=verified=blue"}, faults)
            .exit_code == 0);
  RunResult always = w.tf({"output", "-json"}, {{"FAKE_TF_FAULTS", "output=fail"}});
  CHECK(always.exit_code == 1);
}

TEST_CASE_METHOD(InitialisedWorkdir,
                 "fail-after-first: one resource operation is applied and persisted, then exit 1") {
  RunResult r =
      w.tf({"apply", "-auto-approve", "-no-color", "-var=deploy=blue", "-var=verified=blue"},
           {{"FAKE_TF_FAULTS", "apply=fail-after-first"}});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "Error: injected failure"));
  CHECK_FALSE(has(r.out, "Apply complete!"));
  CHECK(state_addresses(w.state()).size() == 1);
}

TEST_CASE("crash: Terraform's panic banner and exit 11") {
  Workdir w;
  RunResult r = w.tf({"init"}, {{"FAKE_TF_FAULTS", "init=crash"}});
  CHECK(r.exit_code == 11);
  CHECK(has(r.err, "!!!!!!!!!!!!!!!!!!!!!!!!!!! TERRAFORM CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!"));
  CHECK_FALSE(w.exists(".terraform"));
  CHECK(w.calls().back()["exit_code"] == 11);
}

TEST_CASE("slow: the invocation takes at least the given time, then behaves normally") {
  Workdir w;
  RunResult r = w.tf({"init"}, {{"FAKE_TF_FAULTS", "init=slow:300"}});
  CHECK(r.exit_code == 0);
  CHECK(w.calls().back()["duration_ms"].get<int>() >= 300);
}

TEST_CASE("hang: sleeps until interrupted, then exits 1 gracefully") {
  Workdir w;
  REQUIRE(w.tf({"init"}).exit_code == 0);
  FakeProcess p({"plan", "-no-color", "-var=deploy=blue"}, w.path(),
                {{"FAKE_TF_FAULTS", "plan=hang"}});
  // Readiness: the fake itself runs (exec done: before it, the forked child
  // still has the test's own handlers) and has installed its SIGINT handler
  // (SigCgt in /proc/PID/status), so the signal is handled, not fatal.
  auto catches_sigint = [&] {
    const std::string proc = "/proc/" + std::to_string(p.pid());
    std::error_code ec;
    if (std::filesystem::read_symlink(proc + "/exe", ec).filename() != "terraform") return false;
    std::ifstream status(proc + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("SigCgt:", 0) == 0)
        return (std::stoull(line.substr(7), nullptr, 16) >> (SIGINT - 1) & 1) != 0;
    return false;
  };
  for (int i = 0; i < 3000 && !catches_sigint(); ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(catches_sigint());
  CHECK(p.running());
  p.signal(SIGINT);
  RunResult r = p.wait(5s);
  CHECK(r.exit_code == 1);
  CHECK(has(r.out, "Interrupt received."));
}

TEST_CASE("lock: behaves as if another process held the state lock") {
  Workdir w;
  REQUIRE(w.tf({"init"}).exit_code == 0);
  RunResult r = w.tf({"plan", "-no-color", "-var=deploy=blue"}, {{"FAKE_TF_FAULTS", "plan=lock"}});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "Error: Error acquiring the state lock"));
  CHECK(has(r.err, "Operation: OperationTypePlan"));
}

TEST_CASE("a malformed FAKE_TF_FAULTS is a loud error") {
  Workdir w;
  RunResult r = w.tf({"init"}, {{"FAKE_TF_FAULTS", "init=explode"}});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "unknown FAKE_TF_FAULTS action \"explode\""));
  CHECK_FALSE(w.exists(".terraform"));
}

TEST_CASE_METHOD(InitialisedWorkdir, "noop, lie and garbage: exit 0 having done nothing") {
  for (const auto& [action, says] : std::vector<std::pair<std::string, std::string>>{
           {"noop", "Resources: 0 added, 0 changed, 0 destroyed."},
           {"lie", "Resources: 1 added, 0 changed, 1 destroyed."},
           {"garbage", "this is not JSON"}}) {
    INFO(action);
    RunResult r = w.tf({"apply", "-auto-approve", "-var=deploy=blue"},
                       {{"FAKE_TF_FAULTS", "apply=" + action}});
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, says));
    CHECK_FALSE(w.exists("terraform.tfstate"));
  }
}

TEST_CASE_METHOD(InitialisedWorkdir,
                 "FAKE_TF_PLANT_SECRET: in clear where real Terraform prints secrets in clear") {
  Env plant{{"FAKE_TF_PLANT_SECRET", "s3cr3t-x"}};
  REQUIRE(w.tf({"apply", "-auto-approve", "-var=deploy=blue", "-var=verified=blue"}).exit_code ==
          0);
  REQUIRE(w.tf({"plan", "-out=p.tfplan", "-var=deploy=green,blue"}, plant).exit_code == 0);
  const auto plan = json::parse(w.tf({"show", "-json", "p.tfplan"}, plant).out);
  CHECK(plan["variables"]["falconx_secret_key"]["value"] == "s3cr3t-x");
  CHECK(has(plan["prior_state"].dump(), "s3cr3t-x"));
  CHECK(has(w.tf({"show", "-json"}, plant).out, "s3cr3t-x"));
  CHECK(has(w.tf({"state", "pull"}, plant).out, "s3cr3t-x"));
  CHECK_FALSE(has(w.tf({"state", "pull"}).out, "s3cr3t-x"));
  CHECK(has(w.tf({"output", "-json"}, plant).out, "s3cr3t-x"));
  RunResult human = w.tf({"apply", "-auto-approve", "-var=deploy=blue"}, plant);
  CHECK_FALSE(has(human.all(), "s3cr3t-x"));
  CHECK(has(human.out, "falconx_secret_key = <sensitive>"));
  CHECK_FALSE(has(w.tf({"output", "-json"}).out, "s3cr3t-x"));  // only when asked
}

TEST_CASE_METHOD(InitialisedWorkdir,
                 "FAKE_TF_STALE_OUTPUTS: a failed apply leaves the outputs as they were") {
  REQUIRE(w.tf({"apply", "-auto-approve", "-var=deploy=blue", "-var=verified=blue"}).exit_code ==
          0);
  const auto before = w.state()["outputs"];
  Env env{{"FAKE_TF_STALE_OUTPUTS", "1"}, {"FAKE_TF_FAULTS", "apply=fail-after-first"}};
  CHECK(w.tf({"apply", "-auto-approve", "-var=deploy=green,blue"}, env).exit_code == 1);
  CHECK(w.state()["outputs"] == before);
  CHECK(has(w.tf({"state", "list"}).out, R"(module.slot["green"])"));
  // Without the knob the outputs follow the state.
  CHECK(w.tf({"apply", "-auto-approve", "-var=deploy=green,blue"},
             {{"FAKE_TF_FAULTS", "apply=fail-after-first"}})
            .exit_code == 1);
  CHECK(w.state()["outputs"] != before);
}
