// History lines are refused, not thrown on, when their known fields have the
// wrong type; accepted ones always describe without a throw.
#include "xdeploy/history/history_entry.h"

#include <catch2/catch.hpp>

using namespace xd;

TEST_CASE("a record with a wrongly typed field is refused, not thrown on") {
  CHECK_FALSE(parse_history_line(R"({"verb":5})"));
  CHECK_FALSE(parse_history_line(R"({"exit_code":"1"})"));
  CHECK_FALSE(parse_history_line(R"({"duration_ms":"slow"})"));
  CHECK_FALSE(parse_history_line(R"({"to":{"deploy":7}})"));
  CHECK_FALSE(parse_history_line(R"({"to":"blue"})"));
  CHECK_FALSE(parse_history_line(R"({"probe":{"downtime_ms":[]}})"));
  CHECK_FALSE(parse_history_line("[1,2]"));
  CHECK_FALSE(parse_history_line("not json"));
}

TEST_CASE("a line longer than the cap is refused without parsing") {
  std::string line = R"({"verb":")" + std::string(kMaxHistoryLineBytes, 'x') + R"("})";
  CHECK_FALSE(parse_history_line(line));
}

TEST_CASE("a good record describes on one line; missing or null fields are fine") {
  const auto r = parse_history_line(
      R"({"started_at":"2026-01-01T00:00:00.000Z","user":"ann","verb":"promote green",)"
      R"("result":"rolled_back","duration_ms":1500,"to":{"deploy":"blue"},)"
      R"("probe":{"downtime_ms":12},"exit_code":6,"message":"never served","extra":[1]})");
  REQUIRE(r);
  const auto line = describe_history_record(*r);
  CHECK_THAT(line, Catch::Contains("promote green"));
  CHECK_THAT(line, Catch::Contains("deploy=blue"));
  CHECK_THAT(line, Catch::Contains("downtime 12ms"));
  CHECK_THAT(line, Catch::Contains("never served"));
  const auto sparse = parse_history_line(R"({"verb":null,"to":null})");
  REQUIRE(sparse);
  CHECK_THAT(describe_history_record(*sparse), Catch::StartsWith("?"));
}
