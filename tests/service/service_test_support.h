#pragma once
// Test support for falcon-xecutor's integration tests (namespace xd::testing): the
// environments that point the real service at the real mock FalconX, child
// processes, readiness waits, the alerts' time line, and the mocks' admin API
// (GET /_admin/stats, POST /_admin/config).
#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "service/service_secrets.h"
#include "support/child_process.h"
#include "support/in_process_slot.h"  // free_port

namespace xd::testing {

using Env = std::map<std::string, std::string>;

// A mock or the service as a child process with exactly `env` (the service
// reads its settings from the environment: nothing of the test's may leak in)
// and its stdout and stderr appended to `log`.
inline std::unique_ptr<ChildProcess> start_child(std::vector<std::string> argv, Env env,
                                                 const std::string& log) {
  return std::make_unique<ChildProcess>(ChildSpec{
      .argv = std::move(argv), .env = std::move(env), .cwd = {}, .clean_env = true, .log = log});
}

// The alert's `time:` line as TradingView's {{timenow}} writes it
// ("2024-05-01T12:00:05Z").
inline std::string iso_utc(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The mock FalconX's environment: the credentials it checks signatures against.
inline Env mock_falconx_env() {
  return {{"MOCK_FALCONX_API_KEY", kApiKey},
          {"MOCK_FALCONX_SECRET_KEY", kFxSecret},
          {"MOCK_FALCONX_PASSPHRASE", kPassphrase}};
}

// falcon-xecutor's environment for the mock FalconX on `mock_port`: its keys,
// its URL and the webhook secret (paper mode, no claim store: add those).
inline Env service_env(int mock_port) {
  return {{"PATH", "/usr/bin:/bin"},
          {"FALCONX_API_KEY", kApiKey},
          {"FALCONX_SECRET_KEY", kFxSecret},
          {"FALCONX_PASSPHRASE", kPassphrase},
          {"FALCONX_BASE_URL", "http://127.0.0.1:" + std::to_string(mock_port)},
          {"XECUTOR_WEBHOOK_SECRET", kHookSecret}};
}

// Polls GET `path` on 127.0.0.1:`port` for up to ~5 s until it answers
// (with `need_200`, until it answers 200).
inline bool wait_ready(int port, const std::string& path, bool need_200 = true) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(0, 200000);
  for (int i = 0; i < 200; ++i) {
    if (auto r = c.Get(path); r && (!need_200 || r->status == 200)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

// A mock's counters and recorded requests (mock_falconx, mock_s3).
inline nlohmann::json admin_stats(int port) {
  httplib::Client c("127.0.0.1", port);
  auto r = c.Get("/_admin/stats");
  REQUIRE(r);
  return nlohmann::json::parse(r->body);
}

// Changes a mock's behaviour (faults, delays, prices); `null` clears a setting.
inline httplib::Result admin_configure(int port, const nlohmann::json& patch) {
  httplib::Client c("127.0.0.1", port);
  return c.Post("/_admin/config", patch.dump(), "application/json");
}

}  // namespace xd::testing
