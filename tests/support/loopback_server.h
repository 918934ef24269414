#pragma once
// Test helper: a real cpp-httplib server on 127.0.0.1 running in a thread,
// answering every GET with a handler the test provides. Not for production.
#include <httplib.h>

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

namespace xd::testing {

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

class TestHttpServer {
 public:
  // port 0: any free port; else that port (retried briefly, for restarts).
  explicit TestHttpServer(Handler handler, int port = 0) {
    server_.Get(
        ".*", [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
          handler(req, res);
        });
    if (port == 0) {
      port_ = server_.bind_to_any_port("127.0.0.1");
    } else {
      for (int attempt = 0; attempt < 100 && port_ <= 0; ++attempt) {
        if (server_.bind_to_port("127.0.0.1", port)) {
          port_ = port;
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      }
    }
    if (port_ <= 0) throw std::runtime_error("test server: cannot bind 127.0.0.1");
    // bind_to_port already listens: connections queue until the accept loop runs.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // httplib's stop() is a no-op until the accept loop runs: wait for it.
    for (int i = 0; i < 2000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~TestHttpServer() { stop(); }
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url(const std::string& path = "/health") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace xd::testing
