#pragma once
// A stand-in for one deployed slot in Terraform-backend tests: a real HTTP
// server on 127.0.0.1 answering GET /health like falcon-xecutor does
// (`X-Slot: <color>` and {"status":"ok","slot":"<color>"}). Tests flip its
// status or its claimed color to break the gate on purpose.
#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace xd::testing {

class SlotServer {
 public:
  explicit SlotServer(std::string color);
  ~SlotServer();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/health"; }
  void set_status(int status) { status_ = status; }
  void answer_as(const std::string& color);
  int hits() const { return hits_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> status_{200};
  std::atomic<int> hits_{0};
  std::shared_ptr<std::string> color_;
};

}  // namespace xd::testing
