#include "xdeploy/core/duration.h"

#include <catch2/catch.hpp>

using namespace xd;
using std::chrono::milliseconds;

TEST_CASE("durations accept plain seconds and suffixes") {
  CHECK(parse_duration("2") == milliseconds(2000));
  CHECK(parse_duration("500ms") == milliseconds(500));
  CHECK(parse_duration("2s") == milliseconds(2000));
  CHECK(parse_duration("1.5s") == milliseconds(1500));
  CHECK(parse_duration("5m") == milliseconds(300000));
  CHECK(parse_duration("1h") == milliseconds(3600000));
  CHECK(parse_duration("0") == milliseconds(0));
}

TEST_CASE("malformed durations are rejected") {
  for (const char* bad :
       {"", "s", "-1", "2x", "1..5s", ".5s", "5.", "2 s", "1e3", "ms5", "99999999999999h"})
    CHECK_FALSE(parse_duration(bad));
}

TEST_CASE("format_duration is short and readable") {
  CHECK(format_duration(milliseconds(250)) == "250ms");
  CHECK(format_duration(milliseconds(1500)) == "1.5s");
  CHECK(format_duration(milliseconds(150000)) == "2m30s");
}

TEST_CASE("duration_literal is exact and parses back") {
  for (auto ms : {0LL, 1LL, 999LL, 1000LL, 1500LL, 300000LL, 7200000LL}) {
    const auto d = milliseconds(ms);
    CHECK(parse_duration(duration_literal(d)) == d);
  }
  CHECK(duration_literal(milliseconds(300000)) == "300s");
  CHECK(duration_literal(milliseconds(1500)) == "1500ms");
}
