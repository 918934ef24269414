// The real xdeploy-router binary, with real sockets on 127.0.0.1 and two
// in-process HTTP slots.
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "detached_process.h"
#include "local_test_support.h"
#include "router_control.h"
#include "support/scoped_temp_dir.h"
#include "tcp_port.h"

using namespace xd;
using namespace xd::testing;
using namespace std::chrono_literals;

namespace {

struct RouterFixture {
  ScopedTempDir dir{"xd-router"};
  InProcessSlot blue{"blue", free_port()};
  InProcessSlot green{"green", free_port()};
  int public_port = free_port();
  ProcessIdentity router;

  RouterFixture() {
    const auto spawned =
        spawn_detached(detached({XD_ROUTER_BIN, "--port", std::to_string(public_port), "--target",
                                 std::to_string(blue.port()), "--control", socket().string(),
                                 "--state-file", (dir / "router.json").string()},
                                dir / "router.log"));
    REQUIRE(spawned.process);
    router = *spawned.process;
    for (int i = 0; i < 250 && !query_router(socket(), 1000ms).status; ++i)
      std::this_thread::sleep_for(20ms);
    REQUIRE(query_router(socket(), 1000ms).status);
  }
  ~RouterFixture() { stop_process(router, 3000ms); }
  std::filesystem::path socket() const { return dir / "router.sock"; }
};

}  // namespace

TEST_CASE("the router forwards to its target and reports who it is") {
  RouterFixture f;
  const auto status = query_router(f.socket(), 1000ms).status;
  REQUIRE(status);
  CHECK(status->pid == f.router.pid);
  CHECK(status->target_port == f.blue.port());
  CHECK(status->listen == "127.0.0.1:" + std::to_string(f.public_port));
  const auto answer = get(f.public_port, "/health");
  CHECK(answer.status == 200);
  CHECK(answer.slot == "blue");
  CHECK(read_router_target_file(f.dir / "router.json") == f.blue.port());
}

TEST_CASE(
    "a switch sends new connections to the new slot while one in flight finishes on the old") {
  RouterFixture f;
  auto in_flight =
      std::async(std::launch::async, [&] { return get(f.public_port, "/slow?ms=600", 30000); });
  // Readiness, not a guess: wait until blue itself is serving the slow request.
  for (int i = 0; i < 3000 && f.blue.slow_requests_started() == 0; ++i)
    std::this_thread::sleep_for(10ms);
  REQUIRE(f.blue.slow_requests_started() == 1);
  const auto reply = switch_router(f.socket(), f.green.port(), 0ms);
  REQUIRE(reply.status);
  CHECK(reply.status->target_port == f.green.port());
  CHECK(read_router_target_file(f.dir / "router.json") == f.green.port());
  CHECK(get(f.public_port, "/health").slot == "green");
  // Still in flight after the switch and the new slot's answer: what this test is about.
  CHECK(in_flight.wait_for(0ms) == std::future_status::timeout);
  const auto old = in_flight.get();
  CHECK(old.status == 200);
  CHECK(old.body == "blue");
}

TEST_CASE("no request is lost across a switch without a gap") {
  RouterFixture f;
  std::atomic<bool> stop{false};
  auto load = std::async(std::launch::async, [&] {
    int failed = 0, total = 0;
    while (!stop && total < 5000) {
      ++total;
      if (get(f.public_port, "/health").status != 200) ++failed;
    }
    return std::pair{failed, total};
  });
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(50ms);
    REQUIRE(switch_router(f.socket(), i % 2 == 0 ? f.green.port() : f.blue.port(), 0ms).status);
  }
  stop = true;
  const auto [failed, total] = load.get();
  CHECK(total > 10);
  CHECK(failed == 0);
}

TEST_CASE(
    "with a swap gap the router refuses connections for that long, then serves the new slot") {
  RouterFixture f;
  const auto t0 = std::chrono::steady_clock::now();
  auto switching = std::async(std::launch::async,
                              [&] { return switch_router(f.socket(), f.green.port(), 700ms); });
  // Wait until the router says the gap began (it answers its socket during the gap).
  for (int i = 0; i < 3000; ++i) {
    const auto s = query_router(f.socket(), 300ms).status;
    if (s && s->switching_to == f.green.port()) break;
    std::this_thread::sleep_for(5ms);
  }
  CHECK(get(f.public_port, "/health", 500).status == 0);       // refused during the gap
  const auto during = query_router(f.socket(), 300ms).status;  // answered at once, truthfully
  REQUIRE(during);
  CHECK(during->target_port == f.blue.port());
  CHECK(during->switching_to == f.green.port());
  CHECK_THAT(switch_router(f.socket(), f.blue.port(), 0ms).error,
             Catch::Contains("already in progress"));
  const auto reply = switching.get();
  const auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(reply.status);
  CHECK(took >= 700ms);  // no upper bound: a loaded machine may take longer
  CHECK(get(f.public_port, "/health").slot == "green");
}

TEST_CASE("a bad switch request is refused and changes nothing") {
  RouterFixture f;
  const auto reply = switch_router(f.socket(), 0, 0ms);
  CHECK_FALSE(reply.status);
  CHECK_THAT(reply.error, Catch::Contains("invalid port"));
  CHECK(query_router(f.socket(), 1000ms).status->target_port == f.blue.port());
  CHECK(get(f.public_port, "/health").slot == "blue");
}

TEST_CASE("a router whose slot is down closes the client connection instead of hanging") {
  RouterFixture f;
  const int dead_port = free_port();
  REQUIRE(switch_router(f.socket(), dead_port, 0ms).status);
  CHECK(get(f.public_port, "/health", 1000).status == 0);
}

TEST_CASE("SIGTERM stops the router, frees the public port and removes its socket") {
  RouterFixture f;
  REQUIRE(stop_process(f.router, 3000ms));
  CHECK_FALSE(std::filesystem::exists(f.socket()));
  CHECK(port_unavailable_reason("127.0.0.1", f.public_port).empty());
  CHECK_THAT(query_router(f.socket(), 500ms).error, Catch::Contains("not reachable"));
}
