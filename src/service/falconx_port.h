#pragma once
// FalconX as a trade sees it: a quote, at most one execute, and a follow-up
// when an execute's outcome is unknown. The trade builds the request bodies
// and reads the answers; the port only carries them. connect_falconx() gives
// the real one (the signed libcurl client and the background follow-up); the
// trade's tests give a fake that records what was sent.
#include <chrono>
#include <memory>
#include <string>

#include "falcon_xecutor/falconx/falconx_client.h"
#include "falcon_xecutor/falconx/order_book.h"
#include "falcon_xecutor/falconx/outcome_follow_up.h"
#include "falcon_xecutor/http/metrics.h"

namespace xecutor {

struct ServiceConfig;

class FalconxPort {
 public:
  virtual ~FalconxPort() = default;
  // POST /<api>/quotes ("v3", or "v1" where v3 answered 404).
  virtual FalconxResponse quote(const std::string& api, const std::string& body,
                                std::chrono::milliseconds timeout) = 0;
  // POST /<api>/quotes/execute, the same API version as the quote. Never retried.
  virtual FalconxResponse execute(const std::string& api, const std::string& body,
                                  std::chrono::milliseconds timeout) = 0;
  // Finds out in the background what became of an execute whose answer was
  // lost (GET /v1/quotes/{id}); the result goes to the order book.
  virtual void follow_up(PendingExecute pending) = 0;
};

// The real FalconX of `config` (keys, base URL), its calls timed into
// `metrics`, follow-up results recorded in `orders`. Destroying it stops the
// pending follow-ups.
std::unique_ptr<FalconxPort> connect_falconx(const ServiceConfig& config, OrderBook& orders,
                                             Metrics& metrics);

}  // namespace xecutor
