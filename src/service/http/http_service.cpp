#include "falcon_xecutor/http/http_service.h"

#include <httplib.h>

#include <chrono>
#include <cstdint>

#include "falcon_xecutor/http/structured_log.h"
#include "request_log.h"

namespace xecutor {
namespace {

using Clock = std::chrono::steady_clock;

// What the handler learned, for the log line written after the response.
// httplib runs the pre-routing handler, the route and the logger on the same
// worker thread for one request, so a thread_local carries it safely.
struct RequestContext {
  Clock::time_point start{};
  bool started = false;
  std::string outcome;
  std::string quote_id;
  std::string client;
};
thread_local RequestContext
    tls_context;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

std::string outcome_for_status(int status) {
  switch (status) {
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "body_too_large";
    default:
      return status >= 400 ? "http_error" : "ok";
  }
}

void log_request(const httplib::Request& req, const httplib::Response& res) {
  RequestRecord r;
  r.peer = req.remote_addr;
  r.client = tls_context.client;
  r.method = req.method;
  r.path = req.path;
  r.status = res.status;
  r.outcome = tls_context.outcome.empty() ? outcome_for_status(res.status) : tls_context.outcome;
  r.quote_id = tls_context.quote_id;
  if (tls_context.started)
    r.latency =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - tls_context.start);
  log_event(res.status >= 500 ? spdlog::level::warn : spdlog::level::info, request_fields(r));
  tls_context = RequestContext{};
}

// How the body is framed, from the headers alone.
struct BodyFraming {
  std::string problem;        // non-empty: answer 400 with it
  std::size_t announced = 0;  // Content-Length (SIZE_MAX when absurdly large)
  bool chunked = false;
};

// Content-Length must be one decimal count ("-1" used to hold the connection
// with no answer); two different counts, or a count next to chunked framing,
// could be read differently by a proxy and by us (request smuggling).
BodyFraming body_framing(const httplib::Request& req) {
  BodyFraming f;
  const std::size_t lengths = req.get_header_value_count("Content-Length");
  const std::string te = req.get_header_value("Transfer-Encoding");
  f.chunked = !te.empty();
  if (f.chunked && te != "chunked")
    f.problem = "Transfer-Encoding must be chunked, got '" + te + "'";
  if (f.chunked && lengths > 0) f.problem = "both Content-Length and Transfer-Encoding";
  // Without either, httplib reads a POST body until the client closes
  // (httplib also drops an empty "Content-Length:" header, so that lands here).
  if (!f.chunked && lengths == 0 && req.method == "POST")
    f.problem = "a POST needs a Content-Length (a decimal byte count) or a chunked body";
  for (std::size_t i = 0; i < lengths && f.problem.empty(); ++i) {
    const std::string v = req.get_header_value("Content-Length", i);
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
      f.problem = "Content-Length must be a decimal byte count, got '" + v.substr(0, 32) + "'";
    else if (i > 0 && v != req.get_header_value("Content-Length"))
      f.problem = "two different Content-Length headers";
    else
      f.announced = v.size() > 18 ? SIZE_MAX : static_cast<std::size_t>(std::stoull(v));
  }
  return f;
}

WebhookRequest webhook_request(const httplib::Request& req) {
  WebhookRequest in;
  in.peer = req.remote_addr;
  in.x_real_ip = req.get_header_value("X-Real-IP");
  in.x_forwarded_for = req.get_header_value("X-Forwarded-For");
  in.body = req.body;
  in.accepted_at = BoundedServer::request_started_at();
  return in;
}

std::string error_json(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump();
}

std::string body_too_large_message() {
  return "body over " + std::to_string(kMaxBodyBytes) + " bytes";
}

// An answer about the request's framing: the rest of it is not read, so the
// connection ends after the answer (the unread bytes never become a request).
void refuse_and_close(httplib::Response& res, int status, const std::string& outcome,
                      const std::string& message) {
  res.status = status;
  res.set_content(
      nlohmann::json{{"error", message}, {"outcome", outcome}, {"code", outcome}}.dump(),
      "application/json");
  res.set_header("Connection", "close");
  tls_context.outcome = outcome;
  BoundedServer::close_after_response();
}

}  // namespace

HttpService::HttpService(Identity identity, ServiceRoutes routes, ServerLimits limits)
    : server_(std::make_unique<BoundedServer>(limits)),
      identity_(std::move(identity)),
      health_body_(health_body(identity_, false)),
      halted_health_body_(health_body(identity_, true)),
      routes_(std::move(routes)) {
  install_routes();
}

HttpService::~HttpService() = default;

void HttpService::install_routes() {
  auto& s = *server_;
  s.set_payload_max_length(kMaxBodyBytes);
  // Workers, queue, per-request read deadline and timeouts: BoundedServer.
  s.set_keep_alive_max_count(1000);
  // Headers and body go out in separate writes: without this, Nagle + delayed ACK add ~40 ms.
  s.set_tcp_nodelay(true);

  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    tls_context = RequestContext{};
    tls_context.start = BoundedServer::request_started_at();  // queue wait included
    tls_context.started = true;
    res.set_header("X-Slot", identity_.slot);
    const BodyFraming framing = body_framing(req);
    if (!framing.problem.empty()) {
      refuse_and_close(res, 400, "bad_request", framing.problem);
      return httplib::Server::HandlerResponse::Handled;
    }
    // httplib would read (and discard) the whole announced body before its
    // 413: answer from the headers and drop the connection instead.
    if (framing.announced > kMaxBodyBytes) {
      refuse_and_close(res, 413, "body_too_large", body_too_large_message());
      return httplib::Server::HandlerResponse::Handled;
    }
    // httplib 0.11 caps only a Content-Length body: a chunked one is bounded
    // while it is read (an 8 MiB chunked body was read in full).
    if (framing.chunked) BoundedServer::limit_body(kMaxBodyBytes);
    return httplib::Server::HandlerResponse::Unhandled;
  });

  s.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    tls_context.outcome = "health";
    const bool halted = routes_.halted && routes_.halted();
    res.set_content(halted ? halted_health_body_ : health_body_, "application/json");
  });

  s.Post("/webhook", [this](const httplib::Request& req, httplib::Response& res) {
    if (req.body.size() > kMaxBodyBytes) {  // a chunked body within the read budget
      refuse_and_close(res, 413, "body_too_large", body_too_large_message());
      return;
    }
    const WebhookReply out = routes_.webhook(webhook_request(req));
    tls_context.outcome = out.outcome;
    tls_context.quote_id = out.quote_id;
    tls_context.client = out.client;
    res.status = out.status;
    res.set_content(out.body, "application/json");
  });

  s.Get(R"(/orders/([0-9A-Za-z._:-]{1,128}))",
        [this](const httplib::Request& req, httplib::Response& res) {
          const WebhookReply out =
              routes_.order(req.matches[1].str(), req.get_header_value("Authorization"));
          tls_context.outcome = out.outcome;
          res.status = out.status;
          res.set_content(out.body, "application/json");
        });

  s.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    tls_context.outcome = "metrics";
    if (!routes_.metrics_allowed(webhook_request(req), req.get_header_value("Authorization"))) {
      res.status = 403;
      res.set_content(error_json("metrics are served to loopback or with the bearer secret"),
                      "application/json");
      return;
    }
    res.set_content(routes_.metrics_text(), "text/plain; version=0.0.4");
  });

  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (BoundedServer::body_over_budget()) {  // a chunked body past the cap
      refuse_and_close(res, 413, "body_too_large", body_too_large_message());
      return;
    }
    if (!res.body.empty()) return;
    const std::string message = res.status == 413
                                    ? "body over " + std::to_string(kMaxBodyBytes) + " bytes"
                                    : "HTTP " + std::to_string(res.status);
    res.set_content(error_json(message), "application/json");
  });

  // A handler exception must become a 500, never a crash.
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr& ep) {
        std::string what = "unknown";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log_event(spdlog::level::err, {{"event", "handler_exception"}, {"error", what}});
        tls_context.outcome = "internal_error";
        res.status = 500;
        res.set_content(error_json("internal error"), "application/json");
      });

  s.set_logger(
      [](const httplib::Request& req, const httplib::Response& res) { log_request(req, res); });
}

bool HttpService::bind(const std::string& address, int port) {
  if (port == 0) {
    port_ = server_->bind_to_any_port(address);
    return port_ > 0;
  }
  port_ = port;
  return server_->bind_to_port(address, port);
}

void HttpService::run() {
  server_->listen_after_bind();
}

void HttpService::stop() {
  server_->stop();
}

}  // namespace xecutor
