#include "xdeploy/http/health_gate.h"

#include <atomic>
#include <csignal>
#include <thread>

#include <catch2/catch.hpp>

#include "support/loopback_server.h"
#include "xdeploy/process/interrupts.h"

namespace xd {
namespace {
using namespace std::chrono_literals;
using testing::TestHttpServer;

GatePolicy quick(std::chrono::milliseconds interval, std::chrono::milliseconds deadline) {
  GatePolicy p;
  p.request_timeout = 1000ms;
  p.interval = interval;
  p.deadline = deadline;
  return p;
}

HealthExpectation green() {
  HealthExpectation e;
  e.slot = Color::Green;
  return e;
}

}  // namespace

TEST_CASE("the gate passes once the slot turns healthy, reporting each attempt") {
  std::atomic<int> requests{0};
  TestHttpServer server([&](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Slot", "green");
    if (++requests <= 3) res.status = 503;
  });
  std::vector<GateAttempt> seen;
  const auto r = run_health_gate(server.url(), green(), quick(20ms, 10s),
                                 [&](const GateAttempt& a) { seen.push_back(a); });
  CHECK(r.passed);
  CHECK_FALSE(r.interrupted);
  CHECK(r.attempts == 4);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0].number == 1);
  CHECK(seen[0].status == 503);
  CHECK(seen[0].verdict == "status 503 (expected 200)");
  CHECK(seen[3].status == 200);
  CHECK(seen[3].verdict.empty());
  CHECK(seen[3].at >= seen[2].at + 20ms);  // the interval is honoured
  CHECK(r.last_attempts.size() == 4);
}

TEST_CASE("the gate fails at the deadline with the last five attempts") {
  TestHttpServer server([&](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Slot", "blue");
    res.set_content("blue is here", "text/plain");
  });
  const auto r = run_health_gate(server.url(), green(), quick(40ms, 400ms), {});
  CHECK_FALSE(r.passed);
  CHECK_FALSE(r.interrupted);
  CHECK(r.attempts > 5);
  REQUIRE(r.last_attempts.size() == 5);
  CHECK(r.last_attempts.back().number == r.attempts);
  CHECK(r.last_attempts.front().number == r.attempts - 4);
  CHECK(r.last_attempts.back().verdict == "answered as blue (expected green)");
  CHECK(r.last_body == "blue is here");
  CHECK(r.elapsed >= 400ms);
  CHECK(r.elapsed < 10000ms);  // it stops at its deadline, not never
}

TEST_CASE("the gate reports a server that is not there") {
  int port = 0;
  {
    TestHttpServer gone([](const httplib::Request&, httplib::Response&) {});
    port = gone.port();
  }
  const auto r = run_health_gate("http://127.0.0.1:" + std::to_string(port) + "/health", green(),
                                 quick(50ms, 200ms), {});
  CHECK_FALSE(r.passed);
  REQUIRE_FALSE(r.last_attempts.empty());
  CHECK(r.last_attempts.back().status == 0);
  CHECK_FALSE(r.last_attempts.back().verdict.empty());
}

TEST_CASE("Ctrl-C wakes the gate between attempts") {
  InterruptScope scope;
  TestHttpServer server([](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  std::thread ctrl_c([] {
    std::this_thread::sleep_for(200ms);
    kill(getpid(), SIGINT);
  });
  const auto r = run_health_gate(server.url(), green(), quick(10s, 60s), {});
  ctrl_c.join();
  CHECK_FALSE(r.passed);
  CHECK(r.interrupted);
  CHECK(r.attempts == 1);
  CHECK(r.elapsed < 8000ms);  // woken: the next attempt was 10 s away
}

TEST_CASE("Ctrl-C cuts short a request to a hanging server") {
  InterruptScope scope;
  // Hangs for 4 s, or until the test is over: the server's destructor waits for its handler.
  std::atomic<bool> over{false};
  TestHttpServer server([&over](const httplib::Request&, httplib::Response& res) {
    for (int i = 0; i < 400 && !over; ++i) std::this_thread::sleep_for(10ms);
    res.status = 200;
  });
  GatePolicy policy = quick(10s, 60s);
  policy.request_timeout = 30s;
  std::thread ctrl_c([] {
    std::this_thread::sleep_for(200ms);
    kill(getpid(), SIGINT);
  });
  const auto r = run_health_gate(server.url(), green(), policy, {});
  ctrl_c.join();
  CHECK(r.interrupted);
  CHECK_FALSE(r.passed);
  CHECK(r.elapsed < 3500ms);  // cut short: the server answers only after 4 s
  over = true;
}

}  // namespace xd

TEST_CASE("a log that cannot be rewritten gets a gate line per change, not per poll") {
  std::vector<int> logged;
  std::string last;
  for (int n = 1; n <= 300; ++n) {
    const std::string verdict =
        n < 150 ? "status 503" : (n < 300 ? "connection refused" : "healthy");
    if (!xd::worth_a_log_line(n, verdict, last)) continue;
    logged.push_back(n);
    last = verdict;
  }
  // 1, powers of two, and the two verdict changes (150, 300).
  CHECK(logged == std::vector<int>{1, 2, 4, 8, 16, 32, 64, 128, 150, 256, 300});
}
