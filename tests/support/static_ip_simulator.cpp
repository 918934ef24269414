#include "support/static_ip_simulator.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>

#include "support/child_process.h"

namespace xd::testing {

StaticIpSimulator::StaticIpSimulator(std::filesystem::path state_file,
                                     std::map<std::string, int> instance_ports)
    : server_(std::make_unique<httplib::Server>()),
      state_file_(std::move(state_file)),
      ports_(std::move(instance_ports)),
      pinned_(std::make_shared<std::string>()) {
  server_->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    const auto pinned = std::atomic_load(&pinned_);
    const std::string instance = pinned->empty() ? attached_instance() : *pinned;
    const auto it = ports_.find(instance);
    if (it == ports_.end()) {
      res.status = 503;
      res.set_content("static IP not attached", "text/plain");
      return;
    }
    httplib::Client client("127.0.0.1", it->second);
    client.set_connection_timeout(0, 500000);
    client.set_read_timeout(1, 0);
    auto r = client.Get("/health");
    if (!r) {
      res.status = 502;
      return;
    }
    res.status = r->status;
    if (r->has_header("X-Slot")) res.set_header("X-Slot", r->get_header_value("X-Slot"));
    res.set_content(r->body, "application/json");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("StaticIpSimulator: cannot bind");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

StaticIpSimulator::~StaticIpSimulator() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void StaticIpSimulator::pin_to(const std::string& instance_name) {
  std::atomic_store(&pinned_, std::make_shared<std::string>(instance_name));
}

std::string StaticIpSimulator::attached_instance() const {
  try {
    const auto state = nlohmann::json::parse(read_file(state_file_));
    for (const auto& r : state.value("resources", nlohmann::json::array()))
      if (r.value("type", "") == "aws_lightsail_static_ip_attachment" &&
          r.value("mode", "") == "managed")
        for (const auto& i : r.value("instances", nlohmann::json::array()))
          return i.at("attributes").value("instance_name", "");
  } catch (const std::exception&) {
    // Missing or mid-write state: treat as detached.
  }
  return "";
}

}  // namespace xd::testing
