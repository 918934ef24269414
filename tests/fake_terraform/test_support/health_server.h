#pragma once
// A real HTTP server on 127.0.0.1 (random port) whose per-path status the test sets; the fake's
// data "http" read talks to it with libcurl.
#include <httplib.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace xd::testing {

class HealthServer {
 public:
  HealthServer() {
    server_.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++hits_[req.path];
      auto it = status_.find(req.path);
      res.status = it == status_.end() ? 200 : it->second;
      res.set_content(res.status == 200 ? "ok" : "unhealthy", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HealthServer() {
    server_.stop();
    thread_.join();
  }
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  int port() const { return port_; }
  void set_status(const std::string& path, int status) {
    std::lock_guard<std::mutex> lock(mu_);
    status_[path] = status;
  }
  int hits(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_[path];
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, int> status_;
  std::map<std::string, int> hits_;
};

}  // namespace xd::testing
