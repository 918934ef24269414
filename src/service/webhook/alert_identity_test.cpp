#include "falcon_xecutor/webhook/alert_identity.h"

#include <catch2/catch.hpp>
#include <set>

#include "falcon_xecutor/webhook/webhook_body.h"

using namespace xecutor;
using namespace std::chrono;

namespace {

const system_clock::time_point kNoon = sys_days{2026y / 12 / 1} + 12h;

struct Parsed {
  AlertHeader header;
  Order order;
};

Parsed parse(const std::string& body) {
  const auto h = take_alert_header(split_webhook_body(body).lines);
  if (const auto* e = std::get_if<OrderError>(&h)) FAIL(e->message());
  const auto& parts = std::get<AlertHeaderParse>(h);
  const auto o = parse_order(parts.order_lines);
  if (const auto* e = std::get_if<OrderError>(&o)) FAIL(e->message());
  return {parts.header, std::get<Order>(o)};
}

std::string identity_of(const std::string& body, system_clock::time_point at = kNoon) {
  const Parsed p = parse(body);
  return alert_identity(p.order, p.header, at);
}

OrderError header_error(const std::string& body) {
  const auto h = take_alert_header(split_webhook_body(body).lines);
  REQUIRE(std::holds_alternative<OrderError>(h));
  return std::get<OrderError>(h);
}

}  // namespace

TEST_CASE("alert_identity: byte variants of one order are one alert") {
  // The finding: five variants of one order gave five executes.
  const std::set<std::string> ids{
      identity_of("BUY\n0.1 BTC\n30000 USD\nsecret: s"),
      identity_of("BUY\r\n0.1 BTC\r\n30000 USD\r\nsecret: s\r\n"),
      identity_of("secret: s\nBUY\n0.10 BTC\n30000.0 USD\n\n\n"),
      identity_of("BUY\n000.1 BTC\n30000.000 USD\nsecret:   s  "),
      identity_of("BUY\r\n0.1 BTC\n30000 USD\r\nsecret: s\n  \n"),
  };
  CHECK(ids.size() == 1);
  CHECK(ids.begin()->rfind("xo-", 0) == 0);
  CHECK(ids.begin()->size() == 35);
}

TEST_CASE("alert_identity: a different order, minute, id or time is a different alert") {
  const std::string base = identity_of("BUY\n0.1 BTC\n30000 USD");
  CHECK(identity_of("SELL\n0.1 BTC\n30000 USD") != base);
  CHECK(identity_of("BUY\n0.2 BTC\n30000 USD") != base);
  CHECK(identity_of("BUY\n0.1 ETH\n30000 USD") != base);
  CHECK(identity_of("BUY\n0.1 BTC\n30001 USD") != base);
  CHECK(identity_of("BUY\n0.1 BTC\n30000 USDT") != base);
  CHECK(identity_of("BUY\n0.1 BTC\n30000 USD", kNoon + 59s) == base);  // same minute
  CHECK(identity_of("BUY\n0.1 BTC\n30000 USD", kNoon + 60s) != base);  // next minute
  const std::string with_id = identity_of("id: Long\nBUY\n0.1 BTC\n30000 USD");
  CHECK(with_id != base);
  // With an id, the id (not the order) says which alert it is.
  CHECK(identity_of("BUY\n0.2 BTC\n31000 USD\nid:  Long ") == with_id);
  CHECK(identity_of("id: Short\nBUY\n0.1 BTC\n30000 USD") != with_id);
  // With a time, the time (not the receipt minute) says when.
  const std::string timed = identity_of("time: 2026-12-01T11:58:00Z\nBUY\n0.1 BTC\n30000 USD");
  CHECK(identity_of("BUY\n0.1 BTC\n30000 USD\ntime:2026-12-01T12:58:00+01:00", kNoon + 5min) ==
        timed);
  CHECK(identity_of("time: 2026-12-01T11:58:01Z\nBUY\n0.1 BTC\n30000 USD") != timed);
}

TEST_CASE("alert_identity: the canonical order text drops redundant zeros") {
  CHECK(canonical_order_text(parse("SELL\n000.500 ETH\n29990.0 USD").order) ==
        "sell|0.5|ETH|29990|USD");
  CHECK(canonical_order_text(parse("BUY\n10 BTC\n0.01 USD").order) == "buy|10|BTC|0.01|USD");
}

TEST_CASE("alert_header: bad or repeated id:/time: lines are refused with their line") {
  CHECK(header_error("BUY\nid: a\nid: b").message() == "line 3: repeated id: line");
  CHECK(header_error("time: 2026-12-01T12:00:00Z\ntime: 2026-12-01T12:00:00Z").line == 2);
  CHECK(header_error("id:   \nBUY").message() == "line 1: id: is empty");
  CHECK(header_error("id: " + std::string(65, 'x')).reason == "id: is longer than 64 characters");
  CHECK(header_error("id: a\x01").reason == "id: contains control or non-ASCII bytes");
  CHECK_THAT(header_error("BUY\ntime: yesterday").message(),
             Catch::StartsWith("line 2: time: must be ISO 8601"));
  CHECK_THAT(header_error("time: 2026-12-01T12:00:00").reason, Catch::Contains("{{timenow}}"));
}

TEST_CASE("alert identity: blank lines mean nothing wherever they are (before id: too)") {
  // A blank line before id: was refused ("unexpected extra line") while one
  // before secret: was accepted: now both, and anywhere, are ignored.
  const std::string plain = "BUY\n0.1 BTC\n30000 USD\nid: Long\ntime: 2026-12-01T12:00:05Z\n";
  const std::string base = identity_of(plain);
  for (const std::string& body :
       {std::string("BUY\n0.1 BTC\n30000 USD\n\nid: Long\ntime: 2026-12-01T12:00:05Z\n"),
        std::string("\n \nBUY\n0.1 BTC\n\t\n30000 USD\nid: Long\n\ntime: 2026-12-01T12:00:05Z"),
        std::string("BUY\r\n0.1 BTC\r\n30000 USD\r\n\r\nid: Long\r\n\r\ntime: "
                    "2026-12-01T12:00:05Z\r\n\r\nsecret: s\r\n")}) {
    INFO(body);
    CHECK(identity_of(body) == base);
  }
  // The line numbers in errors still count the blank lines as sent.
  CHECK(header_error("BUY\n\nid: \n").line == 3);
}

TEST_CASE("alert identity: with time:, the moment the alert arrived does not matter") {
  // TradingView resends the same bytes 5, 10 and 15 s after a 5xx: a first
  // send at :57 and its resends in the next minute are one alert.
  const std::string body = "BUY\n0.1 BTC\n30000 USD\ntime: 2026-12-01T12:00:57Z\n";
  const auto first = kNoon + 57s;
  for (const auto later : {first + 5s, first + 23s, first + 10min})
    CHECK(identity_of(body, later) == identity_of(body, first));
}
