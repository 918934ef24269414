#include "clock_ids.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <random>

namespace fake_tf {

std::string random_uuid() {
  static std::mt19937_64 engine{std::random_device{}()};
  std::uniform_int_distribution<unsigned> byte(0, 255);
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(byte(engine));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:"
      "02x}{:02x}",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
      b[15]);
}

namespace {
struct Split {
  std::time_t seconds;
  long long nanos;
};
Split now_split() {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return {static_cast<std::time_t>(ns / 1000000000), ns % 1000000000};
}
std::string utc_date_time(std::time_t t, const char* layout) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format(fmt::runtime(layout), tm);
}
}  // namespace

std::string rfc3339_micro_now() {
  auto s = now_split();
  return fmt::format("{}.{:06d}Z", utc_date_time(s.seconds, "{:%Y-%m-%dT%H:%M:%S}"),
                     s.nanos / 1000);
}
std::string rfc3339_nano_now() {
  auto s = now_split();
  return fmt::format("{}.{:09d}Z", utc_date_time(s.seconds, "{:%Y-%m-%dT%H:%M:%S}"), s.nanos);
}
long long unix_millis_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace fake_tf
