#include "falconx_port.h"

#include "config.h"

namespace xecutor {
namespace {

using Transport = FalconxResponse::Transport;

std::string status_label(const FalconxResponse& r) {
  switch (r.transport) {
    case Transport::Answered:
      return std::to_string(r.status);
    case Transport::Timeout:
      return "timeout";
    case Transport::NotSent:
      return "not_sent";
    case Transport::Failed:
      break;
  }
  return "failed";
}

class FalconxApi final : public FalconxPort {
 public:
  FalconxApi(const ServiceConfig& config, OrderBook& orders, Metrics& metrics)
      : client_(config.falconx, config.falconx_base_url,
                [&metrics](const std::string&, const std::string& path, const FalconxResponse& r,
                           std::chrono::duration<double> latency) {
                  metrics.falconx_call(falconx_endpoint_label(path), status_label(r), latency);
                }),
        follow_up_(client_, orders, metrics) {}

  FalconxResponse quote(const std::string& api, const std::string& body,
                        std::chrono::milliseconds timeout) override {
    return client_.post("/" + api + "/quotes", body, timeout);
  }
  FalconxResponse execute(const std::string& api, const std::string& body,
                          std::chrono::milliseconds timeout) override {
    return client_.post("/" + api + "/quotes/execute", body, timeout);
  }
  void follow_up(PendingExecute pending) override { follow_up_.start(std::move(pending)); }

 private:
  FalconxClient client_;
  OutcomeFollowUp follow_up_;  // after client_: its threads use it
};

}  // namespace

std::unique_ptr<FalconxPort> connect_falconx(const ServiceConfig& config, OrderBook& orders,
                                             Metrics& metrics) {
  return std::make_unique<FalconxApi>(config, orders, metrics);
}

}  // namespace xecutor
