#pragma once
// The Lightsail static IP, simulated for Terraform-backend tests: an HTTP
// server on 127.0.0.1 that forwards each request to whichever slot the fake
// terraform's state says the static IP is attached to right now
// (module.upgrade.aws_lightsail_static_ip_attachment.this -> instance_name).
// No attachment in state (mid-replace) = no answer (503), like a detached IP.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace xd::testing {

class StaticIpSimulator {
 public:
  // instance name ("web-blue") -> port of the slot server that plays it.
  StaticIpSimulator(std::filesystem::path state_file, std::map<std::string, int> instance_ports);
  ~StaticIpSimulator();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/health"; }
  // Simulates an IP that never reaches the new instance (stays on `name`).
  void pin_to(const std::string& instance_name);

 private:
  std::string attached_instance() const;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::filesystem::path state_file_;
  std::map<std::string, int> ports_;
  std::shared_ptr<std::string> pinned_;
  int port_ = 0;
};

}  // namespace xd::testing
