#pragma once
// The service's settings, read from the environment. Secrets live only here
// (never argv, never logs); `describe()` prints what is safe to log.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "falcon_xecutor/claims/claim_store_config.h"
#include "falcon_xecutor/core/decimal.h"
#include "falcon_xecutor/falconx/falconx_client.h"
#include "falcon_xecutor/risk/tolerance.h"

namespace xecutor {

// TradingView cancels a webhook after 3 s; the service must have answered
// before, network included (README "Delivery", the budget split).
inline constexpr std::chrono::milliseconds kMaxAlertDeadline{2900};

struct ServiceConfig {
  FalconxCredentials falconx;
  std::string falconx_base_url = "https://api.falconx.io";
  std::string webhook_secret;
  bool execute = false;  // false: PAPER mode, quote only
  PriceBand price_band;  // tolerance 10 bps, sanity band 500 bps
  std::vector<std::string> allowed_pairs{"BTC/USD", "ETH/USD"};  // "BASE/QUOTE"
  Decimal max_order_notional = Decimal::from_integer(10000);     // in the quote token
  bool halt = false;                                             // XECUTOR_HALT=1
  std::string halt_file = "/etc/falcon-xecutor/HALT";            // exists: halted
  // From the moment the connection was accepted (queue wait included) to the
  // answer; below TradingView's 3 s, which also covers the network both ways.
  std::chrono::milliseconds alert_deadline{2500};
  // The execute is sent only with at least this much of the deadline left
  // (FalconX's usual execute round trip): otherwise its answer would be lost.
  std::chrono::milliseconds min_execute_time{500};
  std::chrono::milliseconds expiry_margin{300};  // needed before t_expiry to execute
  std::vector<std::string> allowed_ips;          // empty: any peer may try the secret
  std::vector<std::string>
      trusted_proxies;  // the only peers whose X-Real-IP/X-Forwarded-For counts
  std::chrono::seconds dedup_window{60};
  std::chrono::milliseconds falconx_timeout{2500};  // cap per FalconX call, within the deadline

  // Executions that happen once (README "Identity and claims").
  std::string slot;                                // set by main from --slot; written into claims
  std::chrono::milliseconds max_alert_age{30000};  // XECUTOR_MAX_ALERT_AGE
  ClaimStoreSettings claim_store;                  // XECUTOR_CLAIM_STORE (+ S3 settings)
  std::optional<Decimal> max_daily_notional;       // XECUTOR_MAX_DAILY_NOTIONAL; unset: no cap

  // Why orders will be refused, or empty when the service can take orders.
  std::string refusal_reason() const;
  std::string mode_name() const { return execute ? "live" : "paper"; }
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Throws std::invalid_argument naming the variable when a value is malformed
// (a bad tolerance must stop the service rather than trade with a default).
ServiceConfig load_config(const EnvLookup& env);

// The real process environment.
std::optional<std::string> process_env(const std::string& name);

}  // namespace xecutor
