#include "falcon_xecutor/webhook/alert_freshness.h"

#include "xdeploy/core/duration.h"

namespace xecutor {

std::optional<StaleAlert> judge_alert_time(
    const std::optional<std::chrono::system_clock::time_point>& alert_time,
    std::chrono::system_clock::time_point now, std::chrono::milliseconds max_age) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  if (!alert_time) return std::nullopt;
  if (*alert_time > now + kMaxAlertClockSkew) {
    const auto ahead = duration_cast<milliseconds>(*alert_time - now);
    return StaleAlert{"alert_from_future", "alert time: is " + xd::format_duration(ahead) +
                                               " in the future (more than " +
                                               xd::format_duration(kMaxAlertClockSkew) +
                                               " of clock skew): refused"};
  }
  if (now - *alert_time > max_age) {
    const auto age = duration_cast<milliseconds>(now - *alert_time);
    return StaleAlert{"alert_too_old", "alert time: is " + xd::format_duration(age) +
                                           " old, over XECUTOR_MAX_ALERT_AGE=" +
                                           xd::duration_literal(max_age) + ": refused as a replay"};
  }
  return std::nullopt;
}

}  // namespace xecutor
