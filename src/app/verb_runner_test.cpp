// VerbRunner in-process: a FakeBackend holds the deployment, real HTTP slots
// on 127.0.0.1 answer the health gate and the downtime prober, and each test
// reads the exit code, what was said and the history line.
#include "xdeploy/app/verb_runner.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <string>

#include "support/fake_backend.h"
#include "support/scoped_temp_dir.h"
#include "support/slot_server.h"
#include "xdeploy/lock/deploy_lock.h"

namespace xd {
namespace {

using namespace std::chrono_literals;
using xd::testing::ScopedTempDir;
using Strings = std::vector<std::string>;

const Deployment kBlueServes{Color::Blue, Color::Green};
const Deployment kDetached{std::nullopt, std::nullopt, true};

// One working dir, blue and green slot servers, and a public address that
// answers as whichever color the test says the static IP reaches.
struct World {
  ScopedTempDir dir{"xd-verb-runner"};
  xd::testing::SlotServer blue{"blue"};
  xd::testing::SlotServer green{"green"};
  xd::testing::SlotServer public_ip{"blue"};
  xd::testing::FakeBackend backend;
  AppOptions options;
  std::string said_error, said_hint, said_success;

  explicit World(Deployment d)
      : backend(d, {{Color::Blue, blue.url()}, {Color::Green, green.url()}}) {
    options.chdir = dir.path().string();
    options.verbosity = -1;
    options.health.interval = 20ms;
    options.health.request_timeout = 1s;
    options.health.timeout = 5s;
    options.probe.period = 10ms;
    options.probe.successes = 2;
    options.probe.deadline = 5s;
  }

  // The static IP really moves: the public address answers as the color it reached.
  void ip_follows_moves() {
    backend.public_health_url = public_ip.url();
    backend.after_step = [this](const Step& step) {
      if (step.kind == StepKind::SwitchTraffic)
        public_ip.answer_as(std::string(to_string(step.color)));
    };
  }

  int status() {
    Console console(ColorMode::Never, options.verbosity);
    VerbRunner runner(options, backend, console);
    return runner.status();
  }

  int run(Request request) {
    Console console(ColorMode::Never, options.verbosity);
    VerbRunner runner(options, backend, console);
    const int code = runner.execute(request);
    said_error = console.last_error();
    said_hint = console.last_hint();
    said_success = console.last_success();
    return code;
  }

  nlohmann::json last_history() const {
    std::ifstream in(dir.path() / ".xdeploy" / "history.jsonl");
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    REQUIRE_FALSE(last.empty());
    return nlohmann::json::parse(last);
  }
  bool has_history() const {
    return std::filesystem::exists(dir.path() / ".xdeploy" / "history.jsonl");
  }
};

Request promote(Color c) {
  return {Verb::Promote, c, false};
}

Strings step_ids(const nlohmann::json& record) {
  Strings ids;
  for (const auto& s : record["steps"]) ids.push_back(s["id"]);
  return ids;
}

}  // namespace

TEST_CASE("promote: gate, move, the public address answers as the new color, verify") {
  World w{kBlueServes};
  w.ip_follows_moves();
  CHECK(w.run(promote(Color::Green)) == 0);
  CHECK(w.said_success == "promote green: green active, blue inactive");
  CHECK(w.backend.deployment() == Deployment{Color::Green, Color::Blue});
  CHECK(w.backend.applied() == Strings{"switch-green"});
  const auto h = w.last_history();
  CHECK(h["result"] == "ok");
  CHECK(step_ids(h) == Strings{"state", "gate-green", "switch-green", "verify-green"});
  CHECK(h["gates"][0]["color"] == "green");
  CHECK(h["gates"][0]["passed"] == true);
  CHECK(h["probe"]["new_color_served"] == true);
  CHECK(h["from"]["active"] == "blue");
  CHECK(h["to"]["active"] == "green");
  CHECK(w.green.hits() > 0);
}

TEST_CASE("promote on a backend that plans the move while the gate polls (Terraform's way)") {
  World w{kBlueServes};
  w.backend.prepares_moves = true;
  CHECK(w.run(promote(Color::Green)) == 0);
  // No refresh before the gate (the recorded address answers as green) nor after the move
  // (a read back): read, then the plan made during the gate, applied after it.
  CHECK(w.backend.calls ==
        Strings{"read", "prepare switch-green", "commit switch-green", "refresh"});
  CHECK(w.backend.deployment() == Deployment{Color::Green, Color::Blue});
}

TEST_CASE("a recorded address that does not answer as the slot: the gate takes the plan's") {
  World w{kBlueServes};
  w.backend = xd::testing::FakeBackend(
      kBlueServes, {{Color::Blue, w.blue.url()}, {Color::Green, "http://127.0.0.1:1/health"}});
  w.backend.prepares_moves = true;
  w.backend.fresh_health_urls = {{Color::Blue, w.blue.url()}, {Color::Green, w.green.url()}};
  CHECK(w.run(promote(Color::Green)) == 0);
  CHECK(w.backend.calls ==
        Strings{"read", "prepare switch-green", "commit switch-green", "refresh"});
  CHECK(w.green.hits() > 0);
  CHECK(w.last_history()["gates"][0]["url"] == w.green.url());
}

TEST_CASE("the gate needed the plan and the plan was refused: exit 4 with the plan's reason") {
  World w{kBlueServes};
  w.backend = xd::testing::FakeBackend(
      kBlueServes, {{Color::Blue, w.blue.url()}, {Color::Green, "http://127.0.0.1:1/health"}});
  w.backend.prepares_moves = true;
  w.backend.failing_prepare = StepOutcome{ExitCode::Refused,
                                          "refused: Terraform's refresh found 1 object(s) gone",
                                          "check the account",
                                          {}};
  CHECK(w.run(promote(Color::Green)) == 4);
  CHECK_THAT(w.said_error, Catch::Contains("found 1 object(s) gone"));
  CHECK(w.backend.applied().empty());
  CHECK(w.backend.deployment() == kBlueServes);
}

TEST_CASE("a half-built inactive slot: promote refuses it, teal re-creates it") {
  World w{kBlueServes};
  w.backend.broken = {{Color::Green, "its instance did not finish being created (tainted)"}};
  CHECK(w.run(promote(Color::Green)) == 4);
  CHECK_THAT(w.said_error, Catch::Contains("half-built"));
  CHECK_THAT(w.said_hint, Catch::Contains("xdeploy ~green"));
  CHECK(w.backend.applied().empty());
  CHECK(w.run({Verb::Teal, std::nullopt, false}) == 0);
  CHECK(w.backend.applied() == Strings{"replace-green"});
}

TEST_CASE("`nothing to do` only after the world agrees: a detached IP is re-attached") {
  World w{kBlueServes};
  w.ip_follows_moves();
  w.public_ip.answer_as("green");  // the static IP does not reach blue
  CHECK(w.run(promote(Color::Blue)) == 0);
  CHECK(w.backend.applied() == Strings{"switch-blue"});
  w.public_ip.answer_as("blue");
  CHECK(w.run(promote(Color::Blue)) == 0);
  CHECK_THAT(w.said_success, Catch::Contains("nothing to do"));
}

TEST_CASE("a failed gate: exit 3, the IP not moved, a move planned meanwhile discarded") {
  World w{kBlueServes};
  w.backend.prepares_moves = true;
  w.options.health.timeout = 200ms;
  w.green.set_status(500);
  CHECK(w.run(promote(Color::Green)) == 3);
  CHECK_THAT(w.said_error, Catch::StartsWith("green failed its health gate ("));
  CHECK_THAT(w.said_error, Catch::Contains("the static IP was not moved"));
  CHECK_THAT(w.said_hint, Catch::Contains("fix it with `xdeploy ~green`"));
  CHECK(w.backend.applied().empty());
  CHECK(w.backend.calls.back() == "discard switch-green");
  CHECK(w.backend.deployment() == kBlueServes);
  const auto h = w.last_history();
  CHECK(h["result"] == "health_failed");
  CHECK(h["exit_code"] == 3);
  CHECK(h["steps"].back()["result"] == "health_failed");
  CHECK(h["gates"][0]["passed"] == false);
  CHECK(h["to"]["active"] == "blue");
}

namespace {

// The attach half of a move fails after the detach: the static IP is on no slot.
void move_stops_half_way(World& w) {
  w.backend.script("switch-green",
                   {{ExitCode::Failed, "apply failed: attach refused", "", {}}, kDetached, {}});
}

}  // namespace

TEST_CASE("a move that leaves the IP on no slot goes back to the color that served (exit 6)") {
  World w{kBlueServes};
  move_stops_half_way(w);
  CHECK(w.run(promote(Color::Green)) == 6);
  CHECK_THAT(w.said_error, Catch::StartsWith("apply failed: attach refused"));
  CHECK_THAT(w.said_error, Catch::Contains("the static IP is attached to no slot"));
  CHECK_THAT(w.said_error, Catch::Contains("rolled back: blue is active again"));
  CHECK_THAT(w.said_hint, Catch::Contains("`xdeploy promote green` tries again"));
  CHECK(w.backend.applied() == Strings{"switch-green", "switch-blue"});
  CHECK(w.backend.deployment() == kBlueServes);
  const auto h = w.last_history();
  CHECK(h["result"] == "rolled_back");
  CHECK(step_ids(h) == Strings{"state", "gate-green", "switch-green", "settle", "gate-blue",
                               "switch-blue", "verify-blue"});
  CHECK(h["to"]["active"] == "blue");
}

TEST_CASE("a move whose attach landed unrecorded: prod serves the new color, nothing undone") {
  // The apply failed after Lightsail attached the IP to green (its answer never reached
  // Terraform): the state reads "on no slot", the public address answers as green.
  World w{kBlueServes};
  move_stops_half_way(w);
  w.backend.public_health_url = w.public_ip.url();
  w.backend.static_ip = "127.0.0.1";
  w.public_ip.answer_as("green");
  CHECK(w.run(promote(Color::Green)) == 1);
  CHECK_THAT(w.said_error, Catch::Contains("yet the public address answers as green: the static "
                                           "IP is on green, the state does not record it"));
  CHECK_THAT(w.said_hint, Catch::StartsWith("`xdeploy promote green` records it"));
  CHECK(w.backend.applied() == Strings{"switch-green"});  // no way back: prod serves
}

TEST_CASE("the way back after a half-way move plans its move while the gate polls") {
  // Prod is dark until the IP is back: the way back costs one plan and one apply, not a
  // gate, then a plan, then an apply (the move's deadline reserves only the first).
  World w{kBlueServes};
  w.backend.prepares_moves = true;
  move_stops_half_way(w);
  CHECK(w.run(promote(Color::Green)) == 6);
  CHECK(w.backend.calls == Strings{"read", "prepare switch-green", "commit switch-green", "refresh",
                                   "prepare switch-blue", "commit switch-blue", "refresh"});
  CHECK(w.backend.deployment() == kBlueServes);
  CHECK(step_ids(w.last_history()) == Strings{"state", "gate-green", "switch-green", "settle",
                                              "gate-blue", "switch-blue", "verify-blue"});
}

TEST_CASE("the same with --no-auto-rollback: exit 1, and both ways out named") {
  World w{kBlueServes};
  w.options.probe.auto_rollback = false;
  move_stops_half_way(w);
  CHECK(w.run(promote(Color::Green)) == 1);
  CHECK_THAT(w.said_error, Catch::Contains("the static IP is attached to no slot"));
  CHECK_THAT(w.said_hint, Catch::StartsWith("nothing serves the public address"));
  CHECK_THAT(w.said_hint, Catch::Contains("`xdeploy promote blue`"));
  CHECK_THAT(w.said_hint, Catch::Contains("`xdeploy promote green`"));
  CHECK(w.backend.applied() == Strings{"switch-green"});
  CHECK(w.backend.deployment() == kDetached);
  const auto h = w.last_history();
  CHECK(h["result"] == "failed");
  CHECK(h["to"]["detached_pair"] == true);
}

TEST_CASE("a new color that never serves publicly is rolled back; the way back has no prober") {
  World w{kBlueServes};
  w.options.probe.deadline = 300ms;
  w.backend.public_health_url = w.public_ip.url();  // the IP never reaches green: blue answers
  // Were the way back watched, this would fail it and start a second rollback (to green).
  w.backend.after_step = [&](const Step& step) {
    if (step.id() == "switch-blue") w.public_ip.answer_as("green");
  };
  CHECK(w.run(promote(Color::Green)) == 6);
  CHECK_THAT(w.said_error, Catch::StartsWith("green never served on the public endpoint " +
                                             w.public_ip.url() + " within 300ms"));
  CHECK_THAT(w.said_error, Catch::EndsWith("; rolled back: blue is active again"));
  CHECK_THAT(w.said_hint, Catch::Contains("fix it with `xdeploy ~<color>` and promote again"));
  CHECK(w.backend.applied() == Strings{"switch-green", "switch-blue"});
  CHECK(w.backend.deployment() == kBlueServes);
  const auto h = w.last_history();
  CHECK(h["result"] == "rolled_back");
  CHECK(h["probe"]["new_color_served"] == false);
  CHECK(step_ids(h) ==
        Strings{"state", "gate-green", "switch-green", "gate-blue", "switch-blue", "verify-blue"});
}

TEST_CASE("with --no-auto-rollback a new color that never serves is left as it is (exit 6)") {
  World w{kBlueServes};
  w.options.probe.deadline = 200ms;
  w.options.probe.auto_rollback = false;
  w.backend.public_health_url = w.public_ip.url();
  CHECK(w.run(promote(Color::Green)) == 6);
  CHECK_THAT(w.said_hint, Catch::Contains("`xdeploy rollback` returns to blue"));
  CHECK(w.backend.applied() == Strings{"switch-green"});
  CHECK(w.backend.deployment() == Deployment{Color::Green, Color::Blue});
}

TEST_CASE("a failed way back says so and stops: exit 1, nothing else tried") {
  World w{kBlueServes};
  move_stops_half_way(w);
  w.blue.set_status(503);
  w.options.health.timeout = 150ms;
  CHECK(w.run(promote(Color::Green)) == 1);
  CHECK_THAT(w.said_error, Catch::Contains("the automatic rollback to blue FAILED too: blue "
                                           "failed its health gate"));
  CHECK_THAT(w.said_hint, Catch::Contains("`xdeploy promote blue`"));
  CHECK(w.backend.applied() == Strings{"switch-green"});
}

TEST_CASE("status: a state with the IP on neither asks the public address who holds it") {
  // A move interrupted just after Lightsail attached: the state lacks the attachment, the
  // static IP serves green. status --check calls green active and healthy, not "no slot".
  World w{kDetached};
  w.backend.public_health_url = w.public_ip.url();
  w.backend.static_ip = "127.0.0.1";
  w.public_ip.answer_as("green");
  w.options.status_check = true;
  CHECK(w.status() == 0);
  CHECK(w.backend.calls == Strings{"read"});  // read only: status writes nothing
  w.public_ip.answer_as("nobody");  // not a slot answers there: on neither, unhealthy, exit 3
  CHECK(w.status() == 3);
}

TEST_CASE("the lock held by another run: exit 5, the backend never read") {
  World w{kBlueServes};
  DeployLock::Error error;
  auto held = DeployLock::acquire(w.dir.path() / ".xdeploy" / "lock",
                                  current_process_holder("teal"), 0ms, &error);
  REQUIRE(held);
  CHECK(w.run(promote(Color::Green)) == 5);
  CHECK_THAT(w.said_error, Catch::StartsWith("another xdeploy is running: pid "));
  CHECK_THAT(w.said_hint, Catch::Contains("--lock-wait 10m"));
  CHECK(w.backend.calls.empty());
  CHECK(w.last_history()["result"] == "locked");
}

TEST_CASE("a no-op reads the state and changes nothing") {
  World w{Deployment{Color::Blue, std::nullopt}};
  CHECK(w.run({Verb::Deploy, Color::Blue, false}) == 0);
  CHECK(w.said_success == "nothing to do: blue is already the only slot and it is active");
  CHECK(w.backend.calls == Strings{"read"});
  CHECK(w.last_history()["result"] == "noop");
}

TEST_CASE("a refusal: exit 4, the reason and what to do instead, nothing run") {
  World w{Deployment{Color::Blue, std::nullopt}};
  CHECK(w.run({Verb::Deploy, Color::Green, false}) == 4);
  CHECK(w.said_error == "refused: blue is active: `xdeploy green` would destroy it");
  CHECK(w.said_hint == "run `xdeploy teal`, then `xdeploy promote green`");
  CHECK(w.backend.calls == Strings{"read"});
  CHECK(w.last_history()["result"] == "refused");
}

TEST_CASE("a state that cannot be read stops before any plan, with the backend's words") {
  World w{kBlueServes};
  w.backend.failing_read = Result<ClusterState>{
      std::nullopt, ExitCode::Failed, "terraform output failed", "run terraform init", {}};
  CHECK(w.run(promote(Color::Green)) == 1);
  CHECK(w.said_error == "terraform output failed");
  CHECK(w.said_hint == "run terraform init");
  CHECK(w.backend.calls == Strings{"read"});
  CHECK(w.last_history()["steps"][0]["result"] == "failed");
}

TEST_CASE("the dry run plans the first step read-only and records no history") {
  World w{Deployment{Color::Blue, std::nullopt}};
  w.options.dry_run = true;
  w.options.json = true;  // the step list goes into the record, not onto stdout
  CHECK(w.run({Verb::Teal, std::nullopt, false}) == 0);
  CHECK(w.said_success == "dry run: nothing was changed");
  CHECK(w.backend.calls == Strings{"read", "dry-run create-green"});
  CHECK(w.backend.deployment() == Deployment{Color::Blue, std::nullopt});
  CHECK_FALSE(w.has_history());
}

TEST_CASE("a step that changed something and then failed: the end state is read back") {
  World w{Deployment{Color::Blue, std::nullopt}};
  w.backend.script("create-green", {{ExitCode::Failed, "apply failed half-way", "", {}},
                                    Deployment{Color::Blue, Color::Green},
                                    {}});
  CHECK(w.run({Verb::Teal, std::nullopt, false}) == 1);
  CHECK(w.said_error == "apply failed half-way\nnow: blue active, green inactive");
  CHECK(w.last_history()["to"]["inactive"] == "green");
}

// Signals are counted for the whole process (interrupts.h), so the interrupt
// tests run in their own process: the hidden tag keeps them out of the main
// run (src/app/CMakeLists.txt registers them as verb_runner_interrupt_test).
TEST_CASE("Ctrl-C during a step: exit 130, the end state read back; then nothing starts",
          "[.interrupt]") {
  World w{Deployment{Color::Blue, std::nullopt}};
  w.backend.script("create-green",
                   {{ExitCode::Interrupted, "terraform apply was interrupted", "", {}},
                    Deployment{Color::Blue, Color::Green},
                    [] { std::raise(SIGINT); }});
  CHECK(w.run({Verb::Teal, std::nullopt, false}) == 130);
  CHECK(w.said_error == "terraform apply was interrupted\nnow: blue active, green inactive");
  CHECK(w.last_history()["result"] == "interrupted");

  // A run started after the interrupt stops before its first step.
  CHECK(w.run(promote(Color::Green)) == 130);
  CHECK(w.said_error == "interrupted before: health gate green");
  CHECK(w.backend.applied() == Strings{"create-green"});
}

}  // namespace xd
