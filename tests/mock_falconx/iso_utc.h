#pragma once
// The alert's `time:` line as TradingView's {{timenow}} writes it
// ("2024-05-01T12:00:05Z"), for the service's integration tests.
#include <chrono>
#include <ctime>
#include <string>

namespace xecutor::testing {

inline std::string iso_utc(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace xecutor::testing
