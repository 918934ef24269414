#include "falcon_xecutor/webhook/alert_freshness.h"

#include <catch2/catch.hpp>

using namespace xecutor;
using namespace std::chrono;

TEST_CASE("alert_freshness: the age limit is inclusive; older is too old, far ahead is refused") {
  const system_clock::time_point now = sys_days{2026y / 12 / 1} + 12h;
  const milliseconds max_age = 30s;
  CHECK_FALSE(judge_alert_time(std::nullopt, now, max_age));  // no time: line, no judgement
  CHECK_FALSE(judge_alert_time(now, now, max_age));
  CHECK_FALSE(judge_alert_time(now - 30s, now, max_age));  // exactly the limit
  const auto old = judge_alert_time(now - 30s - 1ms, now, max_age);
  REQUIRE(old);
  CHECK(old->outcome == "alert_too_old");
  CHECK_THAT(old->message, Catch::Contains("XECUTOR_MAX_ALERT_AGE=30s"));
  CHECK_FALSE(judge_alert_time(now + kMaxAlertClockSkew, now, max_age));
  const auto ahead = judge_alert_time(now + kMaxAlertClockSkew + 1ms, now, max_age);
  REQUIRE(ahead);
  CHECK(ahead->outcome == "alert_from_future");
}
