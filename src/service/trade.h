#pragma once
// One order from quote to (live) execute and its verification: the money path.
//   quote (v3; v1 only when v3 answers 404) -> price limit, sanity band,
//   notional at the quoted price, expiry margin -> paper: quoted
//   -> live: time left -> hold the day's notional -> time left -> claim the
//   identity (no claim, no execute) -> time left for the execute's answer
//   (XECUTOR_MIN_EXECUTE_TIME) -> execute, once, never retried -> verify.
// Each step ends the trade with an Outcome or lets the next one run; what an
// outcome means for the dedup reservation and the notional hold is read from
// the outcome table (outcome.h), in one place, when the trade ends; so is
// whether the claim is given back (only when the execute certainly never left).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "deadline.h"
#include "falcon_xecutor/claims/alert_claim.h"
#include "falcon_xecutor/claims/claim_store.h"
#include "falcon_xecutor/core/decimal.h"
#include "falcon_xecutor/falconx/falconx_quote.h"
#include "falcon_xecutor/falconx/order_book.h"
#include "falcon_xecutor/http/metrics.h"
#include "falcon_xecutor/http/webhook_types.h"
#include "falcon_xecutor/risk/daily_notional_ledger.h"
#include "falcon_xecutor/risk/pre_trade.h"
#include "falcon_xecutor/webhook/dedup_window.h"
#include "falcon_xecutor/webhook/order.h"
#include "falconx_port.h"
#include "outcome.h"

namespace xecutor {

struct ServiceConfig;
using WallClock = std::function<std::chrono::system_clock::time_point()>;

// The alert's dedup reservation: released when the trade ends unless keep()
// was called, so a resend of an alert that never reached FalconX trades afresh.
class Reservation {
 public:
  Reservation(DedupWindow& window, std::string key) : window_(window), key_(std::move(key)) {}
  ~Reservation() {
    if (!keep_) window_.release(key_);
  }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  void keep() { keep_ = true; }

 private:
  DedupWindow& window_;
  std::string key_;
  bool keep_ = false;
};

// What a trade works with, owned by the app.
struct TradeParts {
  const ServiceConfig& config;
  FalconxPort& falconx;
  Metrics& metrics;
  OrderBook& orders;
  const WallClock& now;
  ClaimStore* claims;           // required in live mode (config refuses orders without)
  DailyNotionalLedger* ledger;  // null: no daily cap
};

class Trade {
 public:
  Trade(const TradeParts& parts, const Order& order, std::string identity, Reservation& reservation,
        Deadline deadline);
  WebhookReply run();

 private:
  // How a trade ends: its outcome and, for a refusal, why.
  struct Ending {
    Outcome outcome;
    std::string message;
  };
  using Step = std::optional<Ending>;  // nullopt: go on

  Ending trade();
  void settle(Outcome outcome);
  Step request_quote();
  Step check_quote();
  Step check_expiry();
  Step check_time_left();
  std::chrono::milliseconds quote_budget() const;
  Step hold_daily_notional();
  Step claim_identity();
  Ending refuse(const Refusal& r);
  Ending deadline_exceeded(const std::string& when);
  Ending execute();
  Ending verify(const FalconxQuote& done);
  Ending finished(Outcome outcome, const std::string& result, std::string message);
  Ending execute_unknown(const std::string& why);
  void release_notional();
  void release_claim(std::string_view reason);

  // A notional held in the day's shared total until the trade's fate is known.
  struct NotionalHold {
    std::string day;
    std::string quote;
    Decimal notional;
  };

  const TradeParts& p_;
  const Order& order_;
  std::string identity_;
  Reservation& reservation_;
  Deadline deadline_;
  nlohmann::ordered_json info_;
  std::string api_ = "v3";
  FalconxQuote quote_;
  Decimal limit_;
  Decimal quoted_price_;
  std::optional<NotionalHold> hold_;
  std::optional<AlertClaim> claim_;  // live, once the claim was tried
};

}  // namespace xecutor
