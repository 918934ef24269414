#include "support/slot_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <stdexcept>

namespace xd::testing {

SlotServer::SlotServer(std::string color)
    : server_(std::make_unique<httplib::Server>()),
      color_(std::make_shared<std::string>(std::move(color))) {
  server_->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    ++hits_;
    const auto color = std::atomic_load(&color_);
    res.status = status_;
    res.set_header("X-Slot", *color);
    res.set_content(R"({"status":")" + std::string(status_ == 200 ? "ok" : "failing") +
                        R"(","slot":")" + *color + R"(","version":"test","mode":"paper"})",
                    "application/json");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("SlotServer: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

SlotServer::~SlotServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void SlotServer::answer_as(const std::string& color) {
  std::atomic_store(&color_, std::make_shared<std::string>(color));
}

}  // namespace xd::testing
