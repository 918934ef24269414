#pragma once
// cpp-httplib's Server with bounds a slow or flooding client cannot lift:
//  - a fixed pool of workers and a bounded queue of accepted connections:
//    when both are full, the new connection is answered 503 at once (on the
//    accepting thread, without reading it) and closed, instead of waiting in
//    an unbounded queue as httplib's own pool does;
//  - a deadline on READING each request (request line, headers and body), so
//    a client that sends one header line every few seconds loses its worker
//    after `request_read_deadline` instead of holding it forever (httplib's
//    read timeout applies to each read, not to the request);
//  - close_after_response(): a handler that answered without reading the body
//    (413 on a huge Content-Length) ends the connection, so the unread body is
//    never parsed as a next request;
//  - limit_body(): a byte budget on the rest of the request, for chunked
//    bodies (httplib 0.11 caps only a Content-Length body);
//  - request_started_at(): the accept time, so a deadline includes the queue;
//  - refused connections are logged at most once a second, with a count.
// It replaces httplib's per-connection loop (process_and_close_socket) with
// the same steps over its own socket stream; requests are still parsed,
// routed and answered by httplib (Server::process_request).
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>

namespace xecutor {

struct ServerLimits {
  std::size_t workers = 64;  // connections served at once
  std::size_t queue = 64;    // accepted connections waiting for a worker
  std::chrono::milliseconds request_read_deadline{10000};
  std::chrono::seconds idle_keep_alive{5};  // between requests on one connection
  std::chrono::seconds io_timeout{5};       // each read or write
};

// Counts for tests and logs (approximate while connections come and go).
struct ServerLoad {
  std::size_t busy = 0;
  std::size_t queued = 0;
  std::size_t rejected = 0;  // connections answered 503 because the queue was full
};

struct LoadCounters;

class BoundedServer : public httplib::Server {
 public:
  explicit BoundedServer(ServerLimits limits);
  ~BoundedServer() override;
  BoundedServer(const BoundedServer&) = delete;
  BoundedServer& operator=(const BoundedServer&) = delete;

  ServerLoad load() const;

  // From a handler: close this connection once the response is written.
  static void close_after_response();

  // From a handler: when this request's clock started. The first request on a
  // connection: when the connection was accepted (its wait in the queue
  // counts); later ones: when their first byte was there to read.
  static std::chrono::steady_clock::time_point request_started_at();

  // From a pre-routing handler: this request's body may be at most `bytes`
  // (plus chunk framing) however it is sent; reading more fails the request
  // and body_over_budget() turns true. For chunked bodies, whose size the
  // headers do not announce.
  static void limit_body(std::size_t bytes);
  static bool body_over_budget();

 private:
  class Pool;
  bool process_and_close_socket(socket_t sock) override;
  void serve(socket_t sock);

  ServerLimits limits_;
  std::shared_ptr<LoadCounters> load_;  // shared with the pools httplib creates and deletes
};

}  // namespace xecutor
