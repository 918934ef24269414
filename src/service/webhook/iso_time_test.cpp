#include "falcon_xecutor/webhook/iso_time.h"

#include <catch2/catch.hpp>

using namespace xecutor;
using namespace std::chrono;

namespace {
long long micros_of(std::string_view text) {
  const auto t = parse_iso8601(text);
  REQUIRE(t);
  return duration_cast<microseconds>(t->time_since_epoch()).count();
}
}  // namespace

TEST_CASE("iso_time: FalconX and TradingView shapes parse to the exact instant") {
  CHECK(micros_of("2023-09-25T02:49:19.306583+00:00") == 1695610159306583LL);
  CHECK(micros_of("2023-09-25T02:49:19Z") == 1695610159000000LL);
  CHECK(micros_of("2023-09-25T04:49:19+0200") == 1695610159000000LL);
  CHECK(micros_of("2023-09-24T21:49:19.5-05:00") == 1695610159500000LL);
  CHECK(micros_of("2024-02-29T00:00:00Z") == 1709164800000000LL);
}

TEST_CASE("iso_time: years outside the clock's range are refused, not overflowed (fuzz finding)") {
  // Before the fix these went through timegm and from_time_t: signed overflow
  // (UBSan: "signed integer overflow") and a time in the past.
  for (const char* t :
       {"2262-04-12T00:00:00+00:00", "2262-05-01T00:00:00Z", "9999-12-31T23:59:59.999999+00:00",
        "0000-01-01T00:00:00Z", "1677-09-01T00:00:00Z"}) {
    INFO(t);
    CHECK_FALSE(parse_iso8601(t));
  }
  CHECK(parse_iso8601("2262-04-10T00:00:00Z"));  // still inside the range
  CHECK(parse_iso8601("1678-01-02T00:00:00Z"));
}

TEST_CASE("iso_time: malformed or impossible dates are refused") {
  for (const char* t :
       {"", "2023-09-25", "2023-09-25T02:49:19", "2023-02-30T00:00:00Z", "2023-13-01T00:00:00Z",
        "2023-09-25T24:00:00Z", "-123-09-25T02:49:19Z", "2023-09-25T02:49:19.Z",
        "2023-09-25T02:49:19Z ", "2023-09-25T02:49:19+0", "+023-09-25T02:49:19Z"}) {
    INFO(t);
    CHECK_FALSE(parse_iso8601(t));
  }
}
