#include "support/fake_command_runner.h"

#include <catch2/catch.hpp>

namespace xd::testing {
namespace {
ProcessSpec argv_only(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  return spec;
}
}  // namespace

TEST_CASE("FakeCommandRunner records calls and replays scripted outcomes in order") {
  FakeCommandRunner runner;
  FakeOutcome plan_output;
  plan_output.stdout_lines = {"out 1", "out 2"};
  plan_output.stderr_lines = {"warn"};
  runner.push(plan_output);
  FakeOutcome missing_binary;
  missing_binary.started = false;
  missing_binary.error = "cannot run \"terraform\": No such file or directory";
  runner.push(missing_binary);
  runner.fallback = [](const ProcessSpec& spec) {
    FakeOutcome outcome;
    outcome.exit_code = spec.argv.size() > 1 && spec.argv[1] == "apply" ? 1 : 0;
    return outcome;
  };

  std::vector<std::string> out, err;
  const LineSink to_out = [&](std::string_view l) { out.emplace_back(l); };
  const LineSink to_err = [&](std::string_view l) { err.emplace_back(l); };
  ProcessSpec plan;
  plan.argv = {"terraform", "plan", "-out=p b"};
  plan.cwd = "/infra";
  plan.env = {{"TF_VAR_token", "s"}};
  const auto first = runner.run(plan, to_out, to_err);
  CHECK(first.started);
  CHECK(first.exit_code == 0);
  CHECK(out == std::vector<std::string>{"out 1", "out 2"});
  CHECK(err == std::vector<std::string>{"warn"});
  CHECK(first.stdout_text == "out 1\nout 2\n");

  const auto second = runner.run(argv_only({"terraform", "init"}), to_out, to_err);
  CHECK_FALSE(second.started);
  CHECK(second.error == "cannot run \"terraform\": No such file or directory");

  CHECK(runner.run(argv_only({"terraform", "apply"}), {}, {}).exit_code == 1);
  CHECK(runner.run(argv_only({"terraform", "output"}), {}, {}).exit_code == 0);

  REQUIRE(runner.calls().size() == 4);
  CHECK(runner.calls()[0].cwd == "/infra");
  CHECK(runner.calls()[0].env.at(0).first == "TF_VAR_token");
  CHECK(runner.commands() == std::vector<std::string>{"terraform plan '-out=p b'", "terraform init",
                                                      "terraform apply", "terraform output"});
}

}  // namespace xd::testing
