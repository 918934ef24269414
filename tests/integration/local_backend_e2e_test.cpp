// `xdeploy --backend local` end to end: the real CLI, router and slot
// processes on 127.0.0.1. Every test stops what it started (`xdeploy down`,
// then anything left, by pid), so CI never leaks a process.
#include <signal.h>

#include <fmt/format.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/child_process.h"
#include "support/in_process_slot.h"
#include "support/scoped_temp_dir.h"
#include "xdeploy/backend/local/local_state.h"
#include "xdeploy/backend/local/process_identity.h"

using nlohmann::json;
using namespace std::chrono_literals;
using xd::testing::free_port;
using xd::testing::get;

namespace {

const std::string kFake = XD_FAKE_SLOT_BIN;

struct LocalWorld {
  xd::testing::ScopedTempDir dir{"xd-local-e2e"};
  int blue = free_port();
  int green = free_port();
  int public_port = free_port();

  std::filesystem::path local_dir() const { return dir.path() / ".xdeploy" / "local"; }

  xd::testing::ChildResult xdeploy(std::vector<std::string> args,
                                   std::chrono::milliseconds timeout = 90s) const {
    std::vector<std::string> argv = command(std::move(args));
    auto r = xd::testing::run_child({argv, {}, {}}, timeout);
    UNSCOPED_INFO("$ " + fmt::format("{}", fmt::join(argv, " ")) + "\n-> exit " +
                  std::to_string(r.exit_code) + "\n" + r.out + r.err);
    return r;
  }
  std::vector<std::string> command(std::vector<std::string> args) const {
    std::vector<std::string> argv = {XDEPLOY_BIN,
                                     "--backend",
                                     "local",
                                     "-C",
                                     dir.path().string(),
                                     "--slot-ports",
                                     fmt::format("{},{}", blue, green),
                                     "--public-port",
                                     std::to_string(public_port),
                                     "--yes",
                                     "--health-interval",
                                     "200ms"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  json status() const {
    const auto r = xdeploy({"--json", "status"});
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
  }
  std::optional<std::string> active() const {
    const auto s = status();
    const auto& a = s.at("deployment").at("active");
    return a.is_null() ? std::nullopt : std::optional<std::string>(a.get<std::string>());
  }
  std::string public_slot() const { return get(public_port, "/health").slot; }
  xd::LocalState recorded() const { return xd::load_local_state(local_dir() / "state.json").state; }

  ~LocalWorld() {
    const auto before = recorded();
    xd::testing::run_child({command({"down"}), {}, {}}, 60s);
    // Whatever `down` missed (a test that failed half-way): by pid, never by name.
    for (const auto& [c, slot] : before.slots) xd::stop_process(slot.process, 1000ms);
    if (before.router) xd::stop_process(before.router->process, 1000ms);
    for (const std::string& m : {"XDEPLOY_LOCAL_ROUTER=" + local_dir().string(),
                                 "XDEPLOY_LOCAL_SLOT=" + (local_dir() / "blue").string(),
                                 "XDEPLOY_LOCAL_SLOT=" + (local_dir() / "green").string()}) {
      if (auto p = xd::find_process_by_marker(m)) xd::stop_process(*p, 1000ms);
    }
  }
};

std::string fake_command(const std::string& extra = "") {
  return kFake + " --port {port} --slot {color}" + (extra.empty() ? "" : " " + extra);
}

// GETs through the public port until told to stop (bounded): what users see.
class Load {
 public:
  explicit Load(int port) : port_(port) {
    result_ = std::async(std::launch::async, [this] {
      int failed = 0, total = 0;
      while (!stop_ && total < 20000) {
        ++total;
        if (get(port_, "/health", 3000).status != 200) ++failed;
        done_ = total;
      }
      return std::pair{failed, total};
    });
  }
  // Blocks until `more` further requests completed: the load is really
  // running (a readiness signal, where a sleep would only guess).
  void wait_for_requests(int more) {
    const int target = done_ + more;
    REQUIRE(xd::testing::eventually([&] { return done_ >= target; }, 30s));
  }
  std::pair<int, int> finish() {
    stop_ = true;
    return result_.get();
  }

 private:
  int port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> done_{0};
  std::future<std::pair<int, int>> result_;
};

}  // namespace

TEST_CASE("the seed story on the local backend, with the real falcon-xecutor") {
  LocalWorld w;
  // No --app-command: xdeploy finds falcon-xecutor in the build tree.
  REQUIRE(w.xdeploy({"blue"}).exit_code == 0);
  CHECK(w.public_slot() == "blue");
  auto s = w.status();
  CHECK(s["deployment"]["active"] == "blue");
  CHECK(s["static_ip"] == fmt::format("127.0.0.1:{}", w.public_port));
  CHECK(s["slots"]["blue"]["liveness"] == "running");
  const auto blue_pid = w.recorded().slots.at(xd::Color::Blue).process.pid;
  CHECK(std::filesystem::read_symlink("/proc/" + std::to_string(blue_pid) + "/exe") ==
        std::filesystem::path(FALCON_XECUTOR_BIN));

  REQUIRE(w.xdeploy({"teal"}).exit_code == 0);
  CHECK(get(w.green, "/health").slot == "green");
  CHECK(w.public_slot() == "blue");
  s = w.status();
  CHECK(s["deployment"]["inactive"] == "green");

  const auto green_before = w.recorded().slots.at(xd::Color::Green).process;
  REQUIRE(w.xdeploy({"~green"}).exit_code == 0);
  CHECK_FALSE(xd::is_alive(green_before));
  CHECK(get(w.green, "/health").slot == "green");
  CHECK(w.public_slot() == "blue");

  REQUIRE(w.xdeploy({"promote", "green"}).exit_code == 0);
  CHECK(w.public_slot() == "green");
  CHECK(w.active() == "green");

  REQUIRE(w.xdeploy({"rollback"}).exit_code == 0);
  CHECK(w.public_slot() == "blue");
  CHECK(w.active() == "blue");

  REQUIRE(w.xdeploy({"promote", "green"}).exit_code == 0);
  CHECK(w.public_slot() == "green");

  const auto blue_process = w.recorded().slots.at(xd::Color::Blue).process;
  REQUIRE(w.xdeploy({"cleanup"}).exit_code == 0);
  CHECK_FALSE(xd::is_alive(blue_process));
  s = w.status();
  CHECK(s["deployment"]["active"] == "green");
  CHECK(s["deployment"]["inactive"].is_null());
  CHECK(w.public_slot() == "green");

  const auto rec = w.recorded();
  REQUIRE(w.xdeploy({"down"}).exit_code == 0);
  CHECK_FALSE(xd::is_alive(rec.router->process));
  CHECK_FALSE(xd::is_alive(rec.slots.at(xd::Color::Green).process));
  CHECK(get(w.public_port, "/health", 500).status == 0);
  CHECK(w.status()["deployment"]["active"].is_null());

  const auto history = w.xdeploy({"history"});
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.out, Catch::Contains("promote"));
}

TEST_CASE("a promote under continuous load loses no request when there is no swap gap") {
  LocalWorld w;
  REQUIRE(w.xdeploy({"blue"}).exit_code == 0);
  REQUIRE(w.xdeploy({"teal"}).exit_code == 0);
  Load load(w.public_port);
  load.wait_for_requests(10);  // traffic flows before the promote...
  const auto r = w.xdeploy({"--json", "promote", "green"});
  load.wait_for_requests(10);  // ...and after it
  const auto [failed, total] = load.finish();
  REQUIRE(r.exit_code == 0);
  CHECK(total > 20);
  CHECK(failed == 0);
  const auto j = json::parse(r.out);
  CHECK(j["probe"]["failed"] == 0);
  CHECK(w.public_slot() == "green");
}

TEST_CASE("a swap gap of 2s shows as 2s of downtime, measured by the prober") {
  LocalWorld w;
  REQUIRE(w.xdeploy({"blue"}).exit_code == 0);
  REQUIRE(w.xdeploy({"teal"}).exit_code == 0);
  const auto r = w.xdeploy({"--swap-gap", "2s", "--json", "promote", "green"});
  REQUIRE(r.exit_code == 0);
  const auto downtime = json::parse(r.out)["probe"]["downtime_ms"].get<long>();
  CHECK(downtime >= 1700);
  CHECK(downtime <= 6000);  // loose: a loaded CI machine delays probes; the gap is the floor
  CHECK(w.public_slot() == "green");
}

TEST_CASE("a slot answering with the wrong color fails the gate and the IP does not move") {
  LocalWorld w;
  REQUIRE(w.xdeploy({"--app-command", fake_command(), "blue"}).exit_code == 0);
  // A green build that says it is blue: the gate must not trust the port.
  REQUIRE(w.xdeploy({"--app-command", fake_command("--claim blue"), "teal"}).exit_code == 0);
  const auto r = w.xdeploy({"--health-timeout", "2s", "promote", "green"});
  CHECK(r.exit_code == 3);
  CHECK(w.active() == "blue");
  CHECK(w.public_slot() == "blue");
}

TEST_CASE("a new slot that dies right after the switch is rolled back automatically") {
  LocalWorld w;
  REQUIRE(w.xdeploy({"--app-command", fake_command(), "blue"}).exit_code == 0);
  // Green answers the gate once, then exits: it never serves the public.
  REQUIRE(w.xdeploy({"--app-command", fake_command("--exit-after-health 1"), "teal"}).exit_code ==
          0);
  const auto r = w.xdeploy({"--probe-deadline", "3s", "--json", "promote", "green"});
  CHECK(r.exit_code == 6);
  CHECK(json::parse(r.out)["result"] == "rolled_back");
  CHECK(w.public_slot() == "blue");
  const auto s = w.status();
  CHECK(s["deployment"]["active"] == "blue");
  CHECK(s["slots"]["green"]["liveness"] == "crashed");
  // And the next verb continues from there: replace the broken green.
  CHECK(w.xdeploy({"--app-command", fake_command(), "~green"}).exit_code == 0);
  CHECK(get(w.green, "/health").slot == "green");
}

TEST_CASE(
    "xdeploy killed mid-promote leaves a state that status reports truthfully and the next verb "
    "continues") {
  LocalWorld w;
  REQUIRE(w.xdeploy({"blue"}).exit_code == 0);
  REQUIRE(w.xdeploy({"teal"}).exit_code == 0);
  xd::testing::ChildProcess promote({w.command({"--swap-gap", "4s", "promote", "green"}), {}, {}});
  // Wait until the router has closed its listener for the switch, then kill xdeploy outright.
  REQUIRE(
      xd::testing::eventually([&] { return get(w.public_port, "/health", 300).status == 0; }, 20s));
  promote.signal(SIGKILL);
  REQUIRE(promote.wait(5s));

  // The router finishes the switch on its own; status follows the router, not a record.
  REQUIRE(xd::testing::eventually([&] { return w.public_slot() == "green"; }, 15s));
  const auto s = w.status();
  CHECK(s["deployment"]["active"] == "green");
  CHECK(s["deployment"]["inactive"] == "blue");
  CHECK(s["slots"]["blue"]["liveness"] == "running");
  CHECK(s["slots"]["green"]["liveness"] == "running");
  // The lock died with xdeploy; the next verbs run.
  CHECK(w.xdeploy({"promote", "green"}).exit_code == 0);  // already active: nothing to do
  REQUIRE(w.xdeploy({"rollback"}).exit_code == 0);
  CHECK(w.public_slot() == "blue");
}

TEST_CASE("a slot killed behind xdeploy's back shows as crashed and ~color brings it back") {
  LocalWorld w;
  REQUIRE(w.xdeploy({"--app-command", fake_command(), "blue"}).exit_code == 0);
  REQUIRE(w.xdeploy({"--app-command", fake_command(), "teal"}).exit_code == 0);
  const auto green = w.recorded().slots.at(xd::Color::Green).process;
  ::kill(green.pid, SIGKILL);
  REQUIRE(xd::testing::eventually([&] { return !xd::is_alive(green); }, 5s));
  CHECK(w.status()["slots"]["green"]["liveness"] == "crashed");
  CHECK(w.xdeploy({"promote", "green"}).exit_code == 3);
  CHECK(w.public_slot() == "blue");
  REQUIRE(w.xdeploy({"--app-command", fake_command(), "~green"}).exit_code == 0);
  CHECK(w.status()["slots"]["green"]["liveness"] == "running");
  CHECK(w.xdeploy({"promote", "green"}).exit_code == 0);
  CHECK(w.public_slot() == "green");
}

TEST_CASE("a busy slot port is refused with a clear message and nothing starts") {
  LocalWorld w;
  xd::testing::InProcessSlot squatter("intruder", w.blue);
  const auto r = w.xdeploy({"--app-command", fake_command(), "blue"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.out + r.err, Catch::Contains(std::to_string(w.blue)) && Catch::Contains("not free"));
  CHECK(w.status()["deployment"]["active"].is_null());
  CHECK(get(w.public_port, "/health", 500).status == 0);
}

TEST_CASE("a SIGKILLed router fails plain status and `xdeploy blue` restarts it") {
  LocalWorld w;
  REQUIRE(w.xdeploy({"--app-command", fake_command(), "blue"}).exit_code == 0);
  const auto router = w.recorded().router->process;
  ::kill(router.pid, SIGKILL);
  REQUIRE(xd::testing::eventually([&] { return !xd::is_alive(router); }, 5s));
  const auto s = w.xdeploy({"status"});
  CHECK(s.exit_code == 3);  // not "healthy": nothing serves the public port
  CHECK_THAT(s.out, !Catch::Contains("-> blue"));
  CHECK_THAT(s.out, Catch::Contains("DOWN"));
  const auto j = json::parse(w.xdeploy({"status", "--json"}).out);
  CHECK(j["public_endpoint_down"] == true);
  CHECK(j["ok"] == false);
  CHECK(j["deployment"]["active"].is_null());
  // The goal of `xdeploy blue` includes "the public port serves": it restarts the router.
  const auto blue_slot = w.recorded().slots.at(xd::Color::Blue).process;
  REQUIRE(w.xdeploy({"--app-command", fake_command(), "blue"}).exit_code == 0);
  CHECK(w.public_slot() == "blue");
  CHECK(w.recorded().slots.at(xd::Color::Blue).process == blue_slot);  // the slot was kept
  CHECK(w.active() == "blue");
}

TEST_CASE("`xdeploy green` with green CRASHED refuses to destroy the healthy blue unless --force") {
  LocalWorld w;
  REQUIRE(w.xdeploy({"--app-command", fake_command(), "blue"}).exit_code == 0);
  REQUIRE(w.xdeploy({"--app-command", fake_command(), "teal"}).exit_code == 0);
  REQUIRE(w.xdeploy({"promote", "green"}).exit_code == 0);
  const auto green = w.recorded().slots.at(xd::Color::Green).process;
  const auto blue = w.recorded().slots.at(xd::Color::Blue).process;
  ::kill(green.pid, SIGKILL);
  REQUIRE(xd::testing::eventually([&] { return !xd::is_alive(green); }, 5s));
  const auto r = w.xdeploy({"green"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("green is CRASHED") && Catch::Contains("--force"));
  CHECK(xd::is_alive(blue));                              // nothing was destroyed
  CHECK(w.xdeploy({"green", "--force"}).exit_code == 0);  // the user's explicit call
  CHECK_FALSE(xd::is_alive(blue));
}
