#include "xdeploy/http/downtime_prober.h"

#include <atomic>
#include <csignal>
#include <memory>
#include <thread>

#include <catch2/catch.hpp>

#include "support/loopback_server.h"
#include "xdeploy/process/interrupts.h"

namespace xd {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::TestHttpServer;

testing::Handler answer_as(Color c) {
  return [c](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Slot", std::string(to_string(c)));
    res.set_content("ok", "text/plain");
  };
}

ProbeConfig fast(const std::string& url) {
  ProbeConfig c;
  c.url = url;
  c.expect = Color::Green;
  c.period = 20ms;
  c.timeout = 500ms;
  c.consecutive_needed = 5;
  c.deadline = 5000ms;
  return c;
}

// Counts the requests a handler served: the tests wait for probes to have
// happened (a readiness signal) instead of sleeping a guessed time.
testing::Handler counted(std::atomic<int>& hits, const testing::Handler& inner) {
  return [&hits, inner](const httplib::Request& req, httplib::Response& res) {
    ++hits;
    inner(req, res);
  };
}

void wait_for_hits(const std::atomic<int>& hits, int at_least) {
  for (int i = 0; i < 3000 && hits < at_least; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(hits >= at_least);
}

long ms(std::chrono::steady_clock::duration d) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

TEST_CASE("a switch with a 300 ms refusal gap is measured as ~300 ms of downtime") {
  std::atomic<int> hits{0};
  auto blue = std::make_unique<TestHttpServer>(counted(hits, answer_as(Color::Blue)));
  const int port = blue->port();
  DowntimeProber prober(fast(blue->url()));
  prober.start();
  wait_for_hits(hits, 5);  // the prober is running and blue answers
  prober.mark_switch();
  const auto gap_start = Clock::now();
  blue->stop();
  std::this_thread::sleep_for(300ms);
  TestHttpServer green(answer_as(Color::Green), port);
  const long gap = ms(Clock::now() - gap_start);
  const auto report = prober.wait_and_stop();

  INFO("gap " << gap << "ms, report: " << report.one_line());
  CHECK(report.new_color_served);
  CHECK(report.failed > 0);
  CHECK(report.total > report.failed);
  CHECK(report.downtime.count() >= gap - 150);
  // Upper bounds are loose: a loaded machine delays probes, and only the
  // lower bound (no outage is under-reported) is the prober's promise.
  CHECK(report.downtime.count() <= gap + 2000);
  REQUIRE(report.first_new_answer.has_value());
  CHECK(report.first_new_answer->count() >= 300);
  CHECK(report.first_new_answer->count() <= gap + 2000);
}

TEST_CASE("a switch without a gap loses no probe") {
  std::atomic<bool> switched{false};
  std::atomic<int> hits{0};
  TestHttpServer server(counted(hits, [&](const httplib::Request& req, httplib::Response& res) {
    answer_as(switched ? Color::Green : Color::Blue)(req, res);
  }));
  DowntimeProber prober(fast(server.url()));
  prober.start();
  wait_for_hits(hits, 5);
  prober.mark_switch();
  const auto marked = Clock::now();
  wait_for_hits(hits, hits + 3);  // blue still answers after the switch began
  const auto switched_at = Clock::now();
  switched = true;
  const auto report = prober.wait_and_stop();
  INFO(report.one_line());
  CHECK(report.new_color_served);
  CHECK(report.failed == 0);
  CHECK(report.downtime.count() == 0);
  CHECK(report.total >= 10);
  REQUIRE(report.first_new_answer.has_value());
  CHECK(report.first_new_answer->count() >= ms(switched_at - marked));
  CHECK_THAT(report.one_line(),
             Catch::StartsWith("downtime 0ms (0/" + std::to_string(report.total) +
                               " probes failed), green answered after "));
}

TEST_CASE("the prober gives up at its deadline when the new color never answers") {
  TestHttpServer server(answer_as(Color::Blue));
  auto config = fast(server.url());
  config.deadline = 400ms;
  DowntimeProber prober(config);
  const auto start = Clock::now();
  prober.start();
  prober.mark_switch();
  const auto report = prober.wait_and_stop();
  CHECK(ms(Clock::now() - start) >= 400);
  CHECK(ms(Clock::now() - start) < 20000);  // it stops: far below "never"
  CHECK_FALSE(report.new_color_served);
  CHECK_FALSE(report.first_new_answer.has_value());
  CHECK(report.failed == 0);
  CHECK_THAT(report.one_line(), Catch::EndsWith("probes failed), green never answered"));
}

TEST_CASE("a service down until the stop counts the trailing outage") {
  int port = 0;
  {
    TestHttpServer gone(answer_as(Color::Blue));
    port = gone.port();
  }
  DowntimeProber prober(fast("http://127.0.0.1:" + std::to_string(port) + "/health"));
  const auto started = Clock::now();
  prober.start();
  std::this_thread::sleep_for(250ms);  // the outage being measured, not a synchronisation
  const auto report = prober.stop_now();
  const long elapsed = ms(Clock::now() - started);
  CHECK(report.failed == report.total);
  CHECK(report.total >= 2);
  CHECK(report.downtime.count() >= 200);
  CHECK(report.downtime.count() <= elapsed);  // never more than the time it watched
  CHECK_FALSE(report.new_color_served);
  CHECK(prober.stop_now().total == report.total);  // stopping again reports the same
}

TEST_CASE("Ctrl-C ends wait_and_stop promptly") {
  InterruptScope scope;
  TestHttpServer server(answer_as(Color::Blue));
  auto config = fast(server.url());
  config.deadline = 60s;
  DowntimeProber prober(config);
  prober.start();
  std::thread ctrl_c([] {
    std::this_thread::sleep_for(150ms);
    kill(getpid(), SIGINT);
  });
  const auto start = Clock::now();
  const auto report = prober.wait_and_stop();
  ctrl_c.join();
  CHECK(report.interrupted);
  CHECK(ms(Clock::now() - start) < 20000);  // promptly: far below the 60 s deadline
  CHECK_THAT(report.one_line(), Catch::EndsWith("(interrupted)"));
}

TEST_CASE("one_line summarises a report") {
  DowntimeReport r;
  r.downtime = 1500ms;
  r.failed = 3;
  r.total = 57;
  r.expect = Color::Blue;
  r.first_new_answer = 1200ms;
  r.new_color_served = true;
  CHECK(r.one_line() == "downtime 1.5s (3/57 probes failed), blue answered after 1.2s");
  r.new_color_served = false;
  CHECK(r.one_line() ==
        "downtime 1.5s (3/57 probes failed), blue answered after 1.2s but not steadily");
}

}  // namespace xd
