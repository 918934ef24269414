#pragma once
// The webhook flow, one small named step after another:
//   authenticate (peer / trusted proxy headers / allow-list, then the secret line)
//   -> parse the alert header (id:, time:) and the order -> kill switch
//   -> pre-trade limits (pair, notional) -> refuse stale alerts (time:)
//   -> the alert identity (alert_identity.h) -> reserve it in the dedup window
//   -> the trade (trade.h): FalconX quote and its checks, and in live mode the
//      daily notional hold, the claim in the shared store, which blue, green
//      and restarts all respect (no claim, no execute), the execute (exactly
//      once, never retried) and its verification.
// One deadline covers the whole alert (XECUTOR_ALERT_DEADLINE): each FalconX
// call gets what is left of it. An execute whose outcome is unknown is
// followed up in the background (OutcomeFollowUp) and shown at GET /orders/<id>.
// Dedup choice: the reservation is released when the request fails before any
// execute could have reached FalconX (quote errors, limits, expiry), so
// TradingView's retry of the same alert is quoted afresh. Once an execute may
// have reached FalconX, or a paper quote succeeded, the key stays reserved for
// the whole window (outcome.h's table says which outcome does what).
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "config.h"
#include "falcon_xecutor/claims/claim_store.h"
#include "falcon_xecutor/falconx/order_book.h"
#include "falcon_xecutor/http/metrics.h"
#include "falcon_xecutor/http/webhook_types.h"
#include "falcon_xecutor/risk/daily_notional_ledger.h"
#include "falcon_xecutor/risk/kill_switch.h"
#include "falcon_xecutor/webhook/dedup_window.h"
#include "falconx_port.h"
#include "trade.h"

namespace xecutor {

class ServiceApp {
 public:
  using WallClock = xecutor::WallClock;
  // The FalconX a trade talks to, made once the app's order book and metrics exist.
  using FalconxFactory = std::function<std::unique_ptr<FalconxPort>(OrderBook&, Metrics&)>;
  // Without `falconx`: the real FalconX of `config` (connect_falconx).
  ServiceApp(ServiceConfig config, Metrics& metrics,
             WallClock wall_clock = std::chrono::system_clock::now,
             const FalconxFactory& falconx = {});
  WebhookReply handle(const WebhookRequest& request);

  // GET /orders/<identity>, with "Authorization: Bearer <XECUTOR_WEBHOOK_SECRET>".
  WebhookReply order_status(const std::string& identity, const std::string& authorization) const;
  // /metrics: direct loopback callers (no proxy headers), or the bearer secret.
  bool metrics_allowed(const WebhookRequest& request, const std::string& authorization) const;
  bool halted() const { return kill_switch_.halted(); }

 private:
  WebhookReply process(const WebhookRequest& request);
  ServiceConfig config_;
  Metrics& metrics_;
  WallClock wall_clock_;
  KillSwitch kill_switch_;
  DedupWindow dedup_;
  OrderBook orders_;
  std::unique_ptr<ClaimStore> claims_;         // null: no store configured (paper only)
  std::optional<DailyNotionalLedger> ledger_;  // set when XECUTOR_MAX_DAILY_NOTIONAL is
  std::unique_ptr<FalconxPort> falconx_;       // last: its follow-up threads use the members above
};

}  // namespace xecutor
