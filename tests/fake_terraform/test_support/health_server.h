#pragma once
// A real HTTP server on 127.0.0.1 (random port) whose per-path status the test sets; the fake's
// data "http" read talks to it with libcurl. The loopback server is the test tree's one
// (support/loopback_server.h); this adds the statuses and the hit counts.
#include <map>
#include <mutex>
#include <string>

#include "support/loopback_server.h"

namespace xd::testing {

class HealthServer {
 public:
  HealthServer()
      : server_([this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard<std::mutex> lock(mu_);
          ++hits_[req.path];
          auto it = status_.find(req.path);
          res.status = it == status_.end() ? 200 : it->second;
          res.set_content(res.status == 200 ? "ok" : "unhealthy", "text/plain");
        }) {}

  int port() const { return server_.port(); }
  void set_status(const std::string& path, int status) {
    std::lock_guard<std::mutex> lock(mu_);
    status_[path] = status;
  }
  int hits(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_[path];
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> status_;
  std::map<std::string, int> hits_;
  TestHttpServer server_;  // last: stopped (its handler joined) before the maps go
};

}  // namespace xd::testing
