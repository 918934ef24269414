#pragma once
// Loopback helpers for tests: a free port on 127.0.0.1, GETs with short
// timeouts, and an in-process HTTP slot with an identity.
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace xd::testing {

// A port the kernel just handed out and released: free unless someone races us.
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct Answer {
  int status = 0;  // 0: no answer (refused, reset, timeout)
  std::string slot;
  std::string body;
};

inline Answer get(int port, const std::string& path, int timeout_ms = 2000) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(0, static_cast<time_t>(timeout_ms) * 1000);
  client.set_read_timeout(timeout_ms / 1000, static_cast<time_t>(timeout_ms % 1000) * 1000);
  const auto res = client.Get(path);
  if (!res) return {};
  return {res->status, res->get_header_value("X-Slot"), res->body};
}

// An HTTP server in this process answering as `color`, like a slot.
class InProcessSlot {
 public:
  InProcessSlot(std::string color, int port) : color_(std::move(color)), port_(port) {
    server_.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Slot", color_);
      res.set_content(R"({"status":"ok","slot":")" + color_ + R"("})", "application/json");
    });
    server_.Get("/slow", [this](const httplib::Request& req, httplib::Response& res) {
      ++slow_started_;  // a readiness signal for tests: the request reached this slot
      std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(req.get_param_value("ms"))));
      res.set_header("X-Slot", color_);
      res.set_content(color_, "text/plain");
    });
    if (!server_.bind_to_port("127.0.0.1", port_))
      throw std::runtime_error("cannot bind test slot");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~InProcessSlot() {
    server_.stop();
    thread_.join();
  }
  InProcessSlot(const InProcessSlot&) = delete;
  InProcessSlot& operator=(const InProcessSlot&) = delete;
  int port() const { return port_; }
  int slow_requests_started() const { return slow_started_; }

 private:
  std::atomic<int> slow_started_{0};
  std::string color_;
  int port_;
  httplib::Server server_;
  std::thread thread_;
};

}  // namespace xd::testing
