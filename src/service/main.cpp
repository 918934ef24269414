// falcon-xecutor: TradingView webhook -> FalconX quote (-> execute in live mode).
// argv carries only the port, slot and bind address; secrets come from the environment.
#include <curl/curl.h>
#include <pthread.h>
#include <CLI/CLI.hpp>
#include <csignal>

#include <iostream>
#include <thread>

#include "config.h"
#include "falcon_xecutor/claims/claim_store_config.h"
#include "falcon_xecutor/http/http_service.h"
#include "falcon_xecutor/http/metrics.h"
#include "falcon_xecutor/http/structured_log.h"
#include "service_app.h"
#include "xdeploy/core/color.h"

#ifndef XD_BUILD_ID
#define XD_BUILD_ID "unknown"
#endif

namespace {

struct Options {
  int port = 0;
  std::string slot;
  // Loopback by default: a slot exposed to the internet must say so (the
  // systemd unit passes --bind 0.0.0.0 behind the instance firewall).
  std::string bind = "127.0.0.1";
};

// SIGTERM/SIGINT are blocked in every thread and taken by one waiter thread,
// so no async-signal-unsafe work happens in a handler.
sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App cli{"falcon-xecutor: TradingView webhook to FalconX quote/execute service"};
  cli.set_version_flag("--version", std::string(XD_BUILD_ID));
  cli.add_option("--port", opt.port, "TCP port to listen on")
      ->required()
      ->check(CLI::Range(1, 65535));
  cli.add_option("--slot", opt.slot, "Deployment slot color (blue|green), reported by /health")
      ->required();
  cli.add_option("--bind", opt.bind, "Address to listen on (default 127.0.0.1)")
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  if (!xd::parse_color(opt.slot)) {
    std::cerr << "falcon-xecutor: --slot must be blue or green, got '" << opt.slot << "'\n";
    return 2;
  }

  xecutor::setup_json_logging();
  xecutor::ServiceConfig config;
  try {
    config = xecutor::load_config(xecutor::process_env);
    config.slot = opt.slot;
  } catch (const std::exception& e) {
    xecutor::log_event(spdlog::level::critical, {{"event", "bad_config"}, {"error", e.what()}});
    return 2;
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);  // before any thread exists
  const sigset_t signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  xecutor::Metrics metrics;
  xecutor::ServiceApp app(config, metrics);
  xecutor::ServiceRoutes routes;
  routes.webhook = [&app](const xecutor::WebhookRequest& r) { return app.handle(r); };
  routes.halted = [&app] { return app.halted(); };
  routes.order = [&app](const std::string& id, const std::string& auth) {
    return app.order_status(id, auth);
  };
  routes.metrics_allowed = [&app](const xecutor::WebhookRequest& r, const std::string& auth) {
    return app.metrics_allowed(r, auth);
  };
  routes.metrics_text = [&metrics] { return metrics.text(); };
  xecutor::HttpService http({opt.slot, XD_BUILD_ID, config.mode_name()}, std::move(routes));
  if (!http.bind(opt.bind, opt.port)) {
    xecutor::log_event(spdlog::level::critical,
                       {{"event", "bind_failed"}, {"bind", opt.bind}, {"port", opt.port}});
    return 1;
  }

  std::thread waiter([&http, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    xecutor::log_event(spdlog::level::info,
                       {{"event", "shutdown"}, {"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    http.stop();
  });

  nlohmann::ordered_json start{{"event", "start"},
                               {"slot", opt.slot},
                               {"version", XD_BUILD_ID},
                               {"mode", config.mode_name()},
                               {"bind", opt.bind},
                               {"port", opt.port},
                               {"falconx_base_url", config.falconx_base_url}};
  if (auto store = xecutor::make_claim_store(config.claim_store))
    start["claim_store"] = store->describe();  // never the credentials
  if (config.max_daily_notional)
    start["max_daily_notional"] = config.max_daily_notional->to_string();
  xecutor::log_event(spdlog::level::info, start);
  if (const std::string why = config.refusal_reason(); !why.empty())
    xecutor::log_event(spdlog::level::warn, {{"event", "orders_refused"}, {"reason", why}});

  http.run();  // returns once stopped and drained
  xecutor::log_event(spdlog::level::info, {{"event", "stopped"}});
  // The waiter only ends on a signal; if run() returned for another reason, wake it.
  if (waiter.joinable()) {
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
  }
  return 0;
}
