// A stand-in slot for the local backend's tests: an HTTP server that answers
// GET /health like falcon-xecutor (200, {"status":"ok","slot":..}, X-Slot),
// with knobs to misbehave the ways a real deploy can go wrong.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <thread>

int main(int argc, char** argv) {
  int port = 0;
  std::string slot;
  std::string claim;  // answer as this color instead of --slot (a wrong build)
  std::string bind = "127.0.0.1";
  int exit_after_health = 0;  // serve this many /health answers, then exit (0: never)
  CLI::App app{"fake slot for xdeploy local backend tests"};
  app.add_option("--port", port)->required();
  app.add_option("--slot", slot)->required();
  app.add_option("--bind", bind);
  app.add_option("--claim", claim);
  app.add_option("--exit-after-health", exit_after_health);
  CLI11_PARSE(app, argc, argv);
  const std::string identity = claim.empty() ? slot : claim;

  httplib::Server server;
  std::atomic<int> answered{0};
  server.Get("/health", [&](const httplib::Request&, httplib::Response& res) {
    if (exit_after_health > 0 && answered.load() >= exit_after_health) {
      res.status = 503;
      return;
    }
    res.set_header("X-Slot", identity);
    res.set_content(R"({"status":"ok","slot":")" + identity + R"("})", "application/json");
    if (++answered == exit_after_health) {
      std::thread([&server] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let this answer go out
        server.stop();
      }).detach();
    }
  });
  // Answers after ?ms=N milliseconds: a request in flight across a switch.
  server.Get("/slow", [&](const httplib::Request& req, httplib::Response& res) {
    const int ms = req.has_param("ms") ? std::stoi(req.get_param_value("ms")) : 1000;
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    res.set_header("X-Slot", identity);
    res.set_content(identity, "text/plain");
  });
  if (!server.listen(bind, port)) {
    std::fprintf(stderr, "fake slot: cannot listen on %s:%d\n", bind.c_str(), port);
    return 1;
  }
  return exit_after_health > 0 ? 3 : 0;
}
