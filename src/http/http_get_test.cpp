#include "xdeploy/http/http_get.h"

#include <atomic>
#include <catch2/catch.hpp>

#include "support/loopback_server.h"

namespace xd {
namespace {
using namespace std::chrono_literals;
using testing::TestHttpServer;

HttpOptions timeout(std::chrono::milliseconds t) {
  HttpOptions o;
  o.timeout = t;
  return o;
}

}  // namespace

TEST_CASE("http_get returns status, body and lower-cased headers") {
  TestHttpServer server([](const httplib::Request& req, httplib::Response& res) {
    res.status = req.path == "/down" ? 503 : 200;
    res.set_header("X-Slot", "green");
    res.set_content(R"({"slot":"green"})", "application/json");
  });
  auto r = http_get(server.url(), timeout(2s));
  CHECK(r.transport_ok());
  CHECK(r.status == 200);
  CHECK(r.body == R"({"slot":"green"})");
  CHECK(r.headers.at("x-slot") == "green");
  CHECK(r.headers.at("content-type") == "application/json");

  r = http_get(server.url("/down"), timeout(2s));
  CHECK(r.transport_ok());  // an HTTP error status is an answer, not a transport failure
  CHECK(r.status == 503);
}

TEST_CASE("http_get does not follow redirects") {
  TestHttpServer server([](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/health") {
      res.set_redirect("/elsewhere");
    } else {
      res.set_content("followed", "text/plain");
    }
  });
  const auto r = http_get(server.url(), timeout(2s));
  CHECK(r.status == 302);
  CHECK(r.body != "followed");
  CHECK(r.headers.at("location") == "/elsewhere");
}

TEST_CASE("http_get keeps only the first 64 KiB of a body") {
  TestHttpServer server([](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(size_t{200} * 1024, 'x'), "text/plain");
  });
  const auto r = http_get(server.url(), timeout(2s));
  CHECK(r.transport_ok());
  CHECK(r.status == 200);
  CHECK(r.body.size() == size_t{64} * 1024);
}

TEST_CASE("transport failures are reported, not thrown") {
  int port = 0;
  {
    TestHttpServer gone([](const httplib::Request&, httplib::Response&) {});
    port = gone.port();
  }
  auto r = http_get("http://127.0.0.1:" + std::to_string(port) + "/health", timeout(2s));
  CHECK_FALSE(r.transport_ok());
  CHECK(r.status == 0);
  CHECK_THAT(r.error, Catch::Contains("onnect"));  // "Failed to connect ... Couldn't connect"

  r = http_get("ftp://127.0.0.1/x", timeout(1s));
  CHECK_FALSE(r.transport_ok());

  r = http_get("not a url", timeout(1s));
  CHECK_FALSE(r.transport_ok());
}

TEST_CASE("a slow server hits the timeout; cancel cuts a request short") {
  // Answers after 3 s, or once the test is over: the server's destructor waits for its handler.
  std::atomic<bool> over{false};
  TestHttpServer server([&over](const httplib::Request&, httplib::Response& res) {
    for (int i = 0; i < 300 && !over; ++i) std::this_thread::sleep_for(10ms);
    res.set_content("late", "text/plain");
  });
  // Bounds sit well below the server's 3 s, so a loaded machine cannot miss them.
  auto r = http_get(server.url(), timeout(200ms));
  CHECK_THAT(r.error, Catch::Contains("timed out"));
  CHECK(r.elapsed < 2500ms);

  HttpOptions cancelling = timeout(10s);
  const auto start = std::chrono::steady_clock::now();
  cancelling.cancel = [&] { return std::chrono::steady_clock::now() - start > 100ms; };
  r = http_get(server.url(), cancelling);
  CHECK(r.error == "cancelled");
  CHECK(r.elapsed < 2500ms);
  over = true;
}

}  // namespace xd
