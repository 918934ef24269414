#include "xdeploy/http/health_check.h"

#include <catch2/catch.hpp>

#include "support/loopback_server.h"

namespace xd {
namespace {

HttpResponse answer(long status, std::string body = "",
                    std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

HealthExpectation expect_slot(Color c) {
  HealthExpectation e;
  e.slot = c;
  return e;
}

}  // namespace

TEST_CASE("judge_health: transport, status and body") {
  HttpResponse refused;
  refused.error = "Failed to connect to 127.0.0.1 port 1: Couldn't connect to server";
  CHECK(judge_health(refused, {}) == refused.error);
  CHECK(judge_health(answer(503), {}) == "status 503 (expected 200)");
  CHECK(judge_health(answer(200, "ok"), {}).empty());
  HealthExpectation e;
  e.status = 204;
  CHECK(judge_health(answer(200), e) == "status 200 (expected 204)");
  e.status = 200;
  e.body_contains = "build 42";
  CHECK(judge_health(answer(200, "build 41"), e) == "body does not contain \"build 42\"");
  CHECK(judge_health(answer(200, "running build 42"), e).empty());
}

TEST_CASE("judge_health: the answer must come from the expected slot") {
  const auto green = expect_slot(Color::Green);
  CHECK(judge_health(answer(200, "", {{"x-slot", "green"}}), green).empty());
  CHECK(judge_health(answer(200, R"({"slot":"green"})"), green).empty());
  CHECK(judge_health(answer(200, "", {{"x-slot", "blue"}}), green) ==
        "answered as blue (expected green)");
  CHECK(judge_health(answer(200, R"({"slot":"blue","ok":true})"), green) ==
        "answered as blue (expected green)");
  CHECK(judge_health(answer(200, "OK"), green) ==
        "no slot identity in the answer (X-Slot header or \"slot\" field)");
  CHECK(judge_health(answer(200, R"({"slot":7})"), green) ==
        "no slot identity in the answer (X-Slot header or \"slot\" field)");
  CHECK(judge_health(answer(200, "", {{"x-slot", "purple"}}), green) ==
        "unknown slot identity \"purple\" (expected green)");
  // The header wins over the body.
  CHECK(judge_health(answer(200, R"({"slot":"green"})", {{"x-slot", "blue"}}), green) ==
        "answered as blue (expected green)");
  // Without an expected slot, identity is not required.
  CHECK(judge_health(answer(200, "OK"), {}).empty());
}

TEST_CASE("answered_slot reads X-Slot, else the JSON slot field") {
  CHECK(answered_slot(answer(200, "", {{"x-slot", "blue"}})) == Color::Blue);
  CHECK(answered_slot(answer(200, R"({"slot":"green"})")) == Color::Green);
  CHECK_FALSE(answered_slot(answer(200, "{not json")).has_value());
  CHECK_FALSE(answered_slot(answer(200, R"(["slot","green"])")).has_value());
}

TEST_CASE("judging real answers from a local server") {
  std::atomic<int> mode{0};
  testing::TestHttpServer server([&](const httplib::Request&, httplib::Response& res) {
    switch (mode.load()) {
      case 0:
        res.set_header("X-Slot", "green");
        res.set_content(R"({"slot":"green","build":"1.2.3"})", "application/json");
        break;
      case 1:
        res.status = 503;
        res.set_content("draining", "text/plain");
        break;
      default:
        res.set_header("X-Slot", "blue");
        res.set_content("ok", "text/plain");
    }
  });
  HttpOptions options;
  options.timeout = std::chrono::seconds(2);
  auto expectation = expect_slot(Color::Green);
  expectation.body_contains = "1.2.3";
  CHECK(judge_health(http_get(server.url(), options), expectation).empty());
  mode = 1;
  CHECK(judge_health(http_get(server.url(), options), expectation) == "status 503 (expected 200)");
  mode = 2;
  expectation.body_contains.clear();
  CHECK(judge_health(http_get(server.url(), options), expectation) ==
        "answered as blue (expected green)");
}

}  // namespace xd
