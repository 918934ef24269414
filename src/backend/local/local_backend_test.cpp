// The local backend driving real processes: the fake slot app and the real
// router, on free ports of 127.0.0.1.
#include "xdeploy/backend/local/local_backend.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "local_test_support.h"
#include "support/scoped_temp_dir.h"
#include "tcp_port.h"
#include "xdeploy/backend/local/local_state.h"

using namespace xd;
using namespace xd::testing;
using namespace std::chrono_literals;

namespace {

Step step(StepKind kind, Color c) {
  return Step{kind, c, {}, false};
}

struct BackendFixture {
  ScopedTempDir dir{"xd-local"};
  LocalBackendOptions options;

  BackendFixture() {
    options.state_dir = dir / ".xdeploy";
    options.app_command = std::string(XD_FAKE_SLOT_BIN) + " --port {port} --slot {color}";
    options.blue_port = free_port();
    options.green_port = free_port();
    options.public_port = free_port();
    options.stop_grace = 2000ms;
    options.start_timeout = 5000ms;
    options.exe_dir = std::filesystem::path(XD_ROUTER_BIN).parent_path();
  }
  // Whatever a test left running is stopped: CI never leaks processes.
  ~BackendFixture() {
    const auto loaded = load_local_state(options.state_dir / "local" / "state.json");
    stop_everything_local(options);
    for (const auto& [c, slot] : loaded.state.slots) stop_process(slot.process, 1000ms);
    if (loaded.state.router) stop_process(loaded.state.router->process, 1000ms);
  }
  std::unique_ptr<Backend> backend() const { return make_local_backend(options); }
  ClusterState state() const {
    auto r = backend()->read_state();
    REQUIRE(r.ok());
    return *r.value;
  }
  StepOutcome run(StepKind kind, Color c, bool dry_run = false) const {
    auto out = backend()->run(step(kind, c), {}, dry_run);
    if (!out.ok()) {
      std::string done;
      for (const auto& cmd : out.commands)
        done += "\n  " + cmd.display + " -> " + std::to_string(cmd.exit_code);
      UNSCOPED_INFO(std::string(to_string(kind)) + " " + std::string(to_string(c)) + ": " +
                    out.message + done);
    }
    return out;
  }
  LocalState recorded() const {
    return load_local_state(options.state_dir / "local" / "state.json").state;
  }
};

}  // namespace

TEST_CASE("nothing deployed reads as an empty state") {
  BackendFixture f;
  const auto s = f.state();
  CHECK(s.deployment.empty());
  CHECK(s.slots.empty());
  CHECK_FALSE(s.static_ip);
}

TEST_CASE("bootstrap, twin, switch and destroy drive real processes and the router") {
  BackendFixture f;
  const auto boot = f.run(StepKind::Bootstrap, Color::Blue);
  INFO(boot.message);
  REQUIRE(boot.ok());
  auto s = f.state();
  CHECK(s.deployment == Deployment{Color::Blue, std::nullopt});
  REQUIRE(s.slot(Color::Blue));
  CHECK(s.slot(Color::Blue)->liveness == SlotLiveness::Running);
  CHECK_THAT(s.slot(Color::Blue)->instance_name, Catch::StartsWith("local-blue (pid "));
  CHECK(s.slot(Color::Blue)->public_ip == "127.0.0.1");
  CHECK(s.slot(Color::Blue)->health_url ==
        fmt::format("http://127.0.0.1:{}/health", f.options.blue_port));
  CHECK(s.static_ip == fmt::format("127.0.0.1:{}", f.options.public_port));
  CHECK(s.public_health_url == fmt::format("http://127.0.0.1:{}/health", f.options.public_port));
  CHECK(get(f.options.public_port, "/health").slot == "blue");

  REQUIRE(f.run(StepKind::CreateSlot, Color::Green).ok());
  s = f.state();
  CHECK(s.deployment == Deployment{Color::Blue, Color::Green});
  CHECK(get(f.options.green_port, "/health").slot == "green");
  CHECK(get(f.options.public_port, "/health").slot == "blue");

  const auto old_green = f.recorded().slots.at(Color::Green).process;
  REQUIRE(f.run(StepKind::ReplaceSlot, Color::Green).ok());
  CHECK_FALSE(is_alive(old_green));
  CHECK(f.recorded().slots.at(Color::Green).process != old_green);
  CHECK(get(f.options.green_port, "/health").slot == "green");

  REQUIRE(f.run(StepKind::SwitchTraffic, Color::Green).ok());
  s = f.state();
  CHECK(s.deployment == Deployment{Color::Green, Color::Blue});
  CHECK(get(f.options.public_port, "/health").slot == "green");

  const auto blue = f.recorded().slots.at(Color::Blue).process;
  REQUIRE(f.run(StepKind::DestroySlot, Color::Blue).ok());
  CHECK_FALSE(is_alive(blue));
  s = f.state();
  CHECK(s.deployment == Deployment{Color::Green, std::nullopt});
  CHECK_FALSE(s.slot(Color::Blue));
}

TEST_CASE("a slot that died is reported as crashed, and replacing it brings it back") {
  BackendFixture f;
  REQUIRE(f.run(StepKind::Bootstrap, Color::Blue).ok());
  REQUIRE(f.run(StepKind::CreateSlot, Color::Green).ok());
  const auto green = f.recorded().slots.at(Color::Green).process;
  ::kill(green.pid, SIGKILL);
  for (int i = 0; i < 100 && is_alive(green); ++i) std::this_thread::sleep_for(10ms);
  auto s = f.state();
  CHECK(s.deployment == Deployment{Color::Blue, Color::Green});
  CHECK(s.slot(Color::Green)->liveness == SlotLiveness::Crashed);
  CHECK(s.slot(Color::Blue)->liveness == SlotLiveness::Running);
  REQUIRE(f.run(StepKind::ReplaceSlot, Color::Green).ok());
  CHECK(f.state().slot(Color::Green)->liveness == SlotLiveness::Running);
}

TEST_CASE("a new xdeploy finds the router and the slots again, even without a state file") {
  BackendFixture f;
  REQUIRE(f.run(StepKind::Bootstrap, Color::Blue).ok());
  REQUIRE(f.run(StepKind::CreateSlot, Color::Green).ok());
  REQUIRE(f.run(StepKind::SwitchTraffic, Color::Green).ok());
  const auto before = f.recorded();
  // As if xdeploy was killed before it could record anything: the router and
  // the processes themselves are the truth.
  std::filesystem::remove(f.options.state_dir / "local" / "state.json");
  auto s = f.state();
  CHECK(s.deployment == Deployment{Color::Green, Color::Blue});
  CHECK(s.slot(Color::Blue)->liveness == SlotLiveness::Running);
  REQUIRE(f.run(StepKind::SwitchTraffic, Color::Blue).ok());
  const auto after = f.recorded();
  CHECK(after.router->process == before.router->process);
  CHECK(after.slots.at(Color::Green).process == before.slots.at(Color::Green).process);
  CHECK(get(f.options.public_port, "/health").slot == "blue");
}

TEST_CASE("the router is the truth about the active color, not our record") {
  BackendFixture f;
  REQUIRE(f.run(StepKind::Bootstrap, Color::Blue).ok());
  REQUIRE(f.run(StepKind::CreateSlot, Color::Green).ok());
  LocalState lie = f.recorded();
  lie.active = Color::Green;  // a record that says green although the router never switched
  REQUIRE(save_local_state(f.options.state_dir / "local" / "state.json", lie).empty());
  CHECK(f.state().deployment.active == Color::Blue);
}

TEST_CASE("a busy slot port is refused with a clear message and nothing changes") {
  BackendFixture f;
  REQUIRE(f.run(StepKind::Bootstrap, Color::Blue).ok());
  std::string error;
  const int squatter = listen_tcp("127.0.0.1", f.options.green_port, &error);
  REQUIRE(squatter >= 0);
  const auto before = f.recorded();
  const auto out = f.run(StepKind::CreateSlot, Color::Green);
  ::close(squatter);
  CHECK(out.code == ExitCode::Refused);
  CHECK_THAT(out.message,
             Catch::Contains(std::to_string(f.options.green_port)) && Catch::Contains("not free"));
  CHECK(f.recorded() == before);
  CHECK(f.state().deployment == Deployment{Color::Blue, std::nullopt});
}

TEST_CASE("a dry run describes and checks but starts nothing") {
  BackendFixture f;
  const auto lines = f.backend()->describe(step(StepKind::Bootstrap, Color::Blue), {});
  REQUIRE(lines.size() == 2);
  CHECK_THAT(lines[0],
             Catch::Contains("start blue") && Catch::Contains(std::to_string(f.options.blue_port)));
  CHECK_THAT(lines[1], Catch::Contains("xdeploy-router") &&
                           Catch::Contains(std::to_string(f.options.public_port)));
  const auto out = f.run(StepKind::Bootstrap, Color::Blue, true);
  CHECK(out.ok());
  CHECK(f.state().deployment.empty());
  CHECK(port_unavailable_reason("127.0.0.1", f.options.blue_port).empty());
  CHECK_FALSE(std::filesystem::exists(f.options.state_dir / "local" / "state.json"));
}

TEST_CASE("an app that cannot start is a clear failure and leaves no running slot") {
  BackendFixture f;
  SECTION("missing program") {
    f.options.app_command = "/nonexistent/app --port {port}";
    const auto out = f.run(StepKind::Bootstrap, Color::Blue);
    CHECK(out.code == ExitCode::Failed);
    CHECK_THAT(out.message, Catch::Contains("/nonexistent/app"));
    CHECK(f.state().deployment.empty());
  }
  SECTION("program that exits at once") {
    f.options.app_command = "/bin/sh -c exit";
    const auto out = f.run(StepKind::CreateSlot, Color::Green);
    CHECK(out.code == ExitCode::Failed);
    CHECK_THAT(out.message, Catch::Contains("green"));
    const auto s = f.state();
    if (s.slot(Color::Green)) CHECK(s.slot(Color::Green)->liveness == SlotLiveness::Crashed);
  }
}

TEST_CASE("equal ports are refused before anything runs") {
  BackendFixture f;
  f.options.green_port = f.options.blue_port;
  const auto out = f.run(StepKind::Bootstrap, Color::Blue);
  CHECK(out.code == ExitCode::Refused);
  CHECK_THAT(out.message, Catch::Contains("ports must differ"));
  CHECK(f.state().deployment.empty());
}

TEST_CASE("stop_everything_local stops the router and every slot and clears the state") {
  BackendFixture f;
  REQUIRE(f.run(StepKind::Bootstrap, Color::Blue).ok());
  REQUIRE(f.run(StepKind::CreateSlot, Color::Green).ok());
  const auto rec = f.recorded();
  const auto out = stop_everything_local(f.options);
  CHECK(out.ok());
  CHECK(out.commands.size() == 3);
  CHECK_FALSE(is_alive(rec.router->process));
  CHECK_FALSE(is_alive(rec.slots.at(Color::Blue).process));
  CHECK_FALSE(is_alive(rec.slots.at(Color::Green).process));
  CHECK(f.state().deployment.empty());
  CHECK_FALSE(f.state().static_ip);
  CHECK(port_unavailable_reason("127.0.0.1", f.options.public_port).empty());
}

namespace {

void kill_and_wait(const ProcessIdentity& p) {
  ::kill(p.pid, SIGKILL);
  // Polls a condition (not a fixed sleep): the kernel reaps asynchronously.
  for (int i = 0; i < 1000 && is_alive(p); ++i) std::this_thread::sleep_for(10ms);
  REQUIRE_FALSE(is_alive(p));
}

}  // namespace

TEST_CASE("a SIGKILLed router is not healthy: no color is active and a deploy restarts it") {
  BackendFixture f;
  REQUIRE(f.run(StepKind::Bootstrap, Color::Blue).ok());
  const auto router = f.recorded().router->process;
  kill_and_wait(router);
  auto s = f.state();
  CHECK(s.public_endpoint_down);
  CHECK_FALSE(s.deployment.active);  // not "-> blue": nothing serves the public port
  CHECK(s.deployment.inactive == Color::Blue);
  CHECK(s.slot(Color::Blue)->liveness == SlotLiveness::Running);
  // `xdeploy blue` plans a bootstrap of blue again (not "nothing to do"): it keeps the
  // running slot and starts a new router.
  const auto blue = f.recorded().slots.at(Color::Blue).process;
  REQUIRE(f.run(StepKind::Bootstrap, Color::Blue).ok());
  s = f.state();
  CHECK_FALSE(s.public_endpoint_down);
  CHECK(s.deployment == Deployment{Color::Blue, std::nullopt});
  CHECK(f.recorded().slots.at(Color::Blue).process == blue);
  CHECK(f.recorded().router->process != router);
  CHECK(get(f.options.public_port, "/health").slot == "blue");
}

TEST_CASE("with two slots and a dead router neither is active, and a switch restarts it") {
  BackendFixture f;
  REQUIRE(f.run(StepKind::Bootstrap, Color::Blue).ok());
  REQUIRE(f.run(StepKind::CreateSlot, Color::Green).ok());
  kill_and_wait(f.recorded().router->process);
  auto s = f.state();
  CHECK(s.public_endpoint_down);
  CHECK(s.deployment.detached_pair);
  REQUIRE(f.run(StepKind::SwitchTraffic, Color::Green).ok());  // `xdeploy promote green`
  s = f.state();
  CHECK(s.deployment == Deployment{Color::Green, Color::Blue});
  CHECK(get(f.options.public_port, "/health").slot == "green");
}

TEST_CASE("a slot that never listens fails after start_timeout, quoting this run's log only") {
  BackendFixture f;
  const auto script = f.dir / "never-listens.sh";
  std::ofstream(script) << "#!/bin/sh\necho \"this run: $1 started, will never listen\"\n"
                        << "exec sleep 60\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  f.options.app_command = script.string() + " {color}";
  f.options.start_timeout = 700ms;
  std::filesystem::create_directories(f.options.state_dir / "local");
  std::ofstream(f.options.state_dir / "local" / "blue.log") << "an earlier run's crash line\n";
  const auto out = f.run(StepKind::Bootstrap, Color::Blue);
  CHECK_FALSE(out.ok());
  CHECK_THAT(out.message, Catch::Contains("does not accept connections"));
  CHECK_THAT(out.message, Catch::Contains("after 700ms"));
  CHECK_THAT(out.message, Catch::Contains("this run: blue started"));
  CHECK_THAT(out.message, !Catch::Contains("an earlier run"));
}
