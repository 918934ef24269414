#pragma once
// The HTTP edge: cpp-httplib routes, the 4 KiB body limit (a larger announced
// Content-Length is refused 413 before any body byte is read), the per-request
// log line, bounded workers/queue/request time (bounded_server.h) and a
// graceful stop (in-flight requests finish, new ones are refused).
#include <functional>
#include <memory>
#include <string>

#include "falcon_xecutor/http/bounded_server.h"
#include "falcon_xecutor/http/health.h"
#include "falcon_xecutor/http/webhook_types.h"

namespace xecutor {

inline constexpr std::size_t kMaxBodyBytes = 4096;

using WebhookFn = std::function<WebhookReply(const WebhookRequest&)>;

// What the routes call. Headers are handed over as read; the decisions are the app's.
struct ServiceRoutes {
  WebhookFn webhook;                                       // POST /webhook
  std::function<bool()> halted;                            // for GET /health
  std::function<WebhookReply(const std::string& identity,  // GET /orders/<identity>
                             const std::string& authorization)>
      order;
  std::function<bool(const WebhookRequest&, const std::string& authorization)> metrics_allowed;
  std::function<std::string()> metrics_text;  // GET /metrics
};

class HttpService {
 public:
  HttpService(Identity identity, ServiceRoutes routes, ServerLimits limits = {});
  ~HttpService();
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  // False when the address cannot be bound (port in use, bad address).
  bool bind(const std::string& address, int port);
  // Serves until stop(); returns after every in-flight request has been answered.
  void run();
  // Safe from any thread: stops accepting and lets run() drain and return.
  void stop();
  // Bound port (after bind(..., 0)).
  int port() const { return port_; }
  ServerLoad load() const { return server_->load(); }

 private:
  void install_routes();
  std::unique_ptr<BoundedServer> server_;
  int port_ = 0;
  Identity identity_;
  std::string health_body_;         // running
  std::string halted_health_body_;  // kill switch on
  ServiceRoutes routes_;
};

}  // namespace xecutor
