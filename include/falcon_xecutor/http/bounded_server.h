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
//    never parsed as a next request.
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

 private:
  class Pool;
  bool process_and_close_socket(socket_t sock) override;
  void serve(socket_t sock);

  ServerLimits limits_;
  std::shared_ptr<LoadCounters> load_;  // shared with the pools httplib creates and deletes
};

}  // namespace xecutor
