#pragma once
// The webhook flow, in order:
//   authenticate (peer / trusted proxy headers / allow-list, then the secret line)
//   -> parse the order -> reserve the alert in the dedup window
//   -> FalconX quote (v3, v1 only when v3 answers 404) -> tolerance and expiry
//   -> execute (live mode only, exactly once, never retried)
// Dedup choice: the reservation is released when the request fails before any
// execute could have reached FalconX (quote errors, tolerance, expiry), so
// TradingView's retry of the same alert is quoted afresh. Once an execute may
// have reached FalconX, or a paper quote succeeded, the key stays reserved for
// the whole window.
#include <chrono>
#include <functional>

#include "service/config.h"
#include "service/dedup_window.h"
#include "service/falconx_client.h"
#include "service/webhook_types.h"

namespace xecutor {

class ServiceApp {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;
  explicit ServiceApp(ServiceConfig config, WallClock wall_clock = std::chrono::system_clock::now);
  WebhookReply handle(const WebhookRequest& request);

 private:
  ServiceConfig config_;
  WallClock wall_clock_;
  DedupWindow dedup_;
  FalconxClient falconx_;
};

}  // namespace xecutor
