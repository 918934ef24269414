#pragma once
// Replay protection for alerts that carry `time:`: one older than
// XECUTOR_MAX_ALERT_AGE is refused (a captured alert replayed after its claim
// could ever matter), and so is one from the future beyond a small clock
// skew (TradingView's {{timenow}} is truncated to the second, never ahead).
// Alerts without `time:` are judged by their claim alone (README).
#include <chrono>
#include <optional>
#include <string>

namespace xecutor {

inline constexpr std::chrono::seconds kMaxAlertClockSkew{5};

struct StaleAlert {
  std::string outcome;  // "alert_too_old" | "alert_from_future": the JSON error code
  std::string message;
};

// nullopt when the alert may proceed.
std::optional<StaleAlert> judge_alert_time(
    const std::optional<std::chrono::system_clock::time_point>& alert_time,
    std::chrono::system_clock::time_point now, std::chrono::milliseconds max_age);

}  // namespace xecutor
