#pragma once
// The webhook flow, in order:
//   authenticate (peer / trusted proxy headers / allow-list, then the secret line)
//   -> parse the alert header (id:, time:) and the order -> refuse stale alerts
//   -> the alert identity -> reserve it in the dedup window
//   -> FalconX quote (v3, v1 only when v3 answers 404; client_order_id = identity)
//   -> tolerance and expiry
//   -> live only: claim the identity in the shared store (blue, green and
//      restarts all see it) -> reserve the daily notional
//   -> execute (exactly once, never retried)
// Dedup choice: the reservation is released when the request fails before any
// execute could have reached FalconX (quote errors, tolerance, expiry), so
// TradingView's retry of the same alert is quoted afresh. Once an execute may
// have reached FalconX, or a paper quote succeeded, the key stays reserved for
// the whole window.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "service/claim_store.h"
#include "service/config.h"
#include "service/daily_notional_ledger.h"
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
  std::unique_ptr<ClaimStore> claims_;         // null: no store configured (paper only)
  std::optional<DailyNotionalLedger> ledger_;  // set when XECUTOR_MAX_DAILY_NOTIONAL is
};

}  // namespace xecutor
