#include "falcon_xecutor/webhook/order.h"

#include <catch2/catch.hpp>

using namespace xecutor;

namespace {

OrderParse parse(const std::string& body) {
  return parse_order(split_webhook_body(body).lines);
}

OrderError error_of(const std::string& body) {
  const auto r = parse(body);
  REQUIRE(std::holds_alternative<OrderError>(r));
  return std::get<OrderError>(r);
}

Order order_of(const std::string& body) {
  const auto r = parse(body);
  if (const auto* e = std::get_if<OrderError>(&r)) FAIL(e->message());
  return std::get<Order>(r);
}

}  // namespace

TEST_CASE("service: valid orders from the original format parse") {
  const Order buy = order_of("BUY\n0.0001 BTC\n30000 USD");
  CHECK(buy.side == Side::Buy);
  CHECK(buy.amount.to_string() == "0.0001");
  CHECK(buy.base == "BTC");
  CHECK(buy.expected_price.to_string() == "30000");
  CHECK(buy.quote == "USD");
  const Order sell = order_of("SELL\n1 BTC\n0.01 USD\n");
  CHECK(sell.side == Side::Sell);
  CHECK(sell.expected_price.to_string() == "0.01");
  CHECK(side_lower(sell.side) == "sell");
}

TEST_CASE("service: CRLF line endings and the secret line are accepted anywhere") {
  const Order o = order_of("secret: abc\r\nSELL\r\n2.5 ETH\r\n3000.25 USD\r\n\r\n");
  CHECK(o.amount.to_string() == "2.5");
  CHECK(o.base == "ETH");
  CHECK(o.expected_price.to_string() == "3000.25");
  const auto body = split_webhook_body("BUY\r\n1 BTC\r\nsecret:   s3cr3t  \r\n2 USD");
  REQUIRE(body.secret);
  CHECK(*body.secret == "s3cr3t");
  REQUIRE(body.lines.size() == 3);
  CHECK(body.lines[2].number == 4);  // numbers follow the body as sent
}

TEST_CASE("service: secret line missing or repeated gives no secret") {
  CHECK_FALSE(split_webhook_body("BUY\n1 BTC\n2 USD").secret);
  const auto twice = split_webhook_body("secret: a\nBUY\n1 BTC\n2 USD\nsecret: b");
  CHECK_FALSE(twice.secret);
  CHECK(twice.secret_lines == 2);
}

TEST_CASE("service: each malformed line is reported with its number and reason") {
  struct Case {
    std::string body;
    int line;
    std::string reason_part;
  };
  const std::vector<Case> cases = {
      {"BUY 0.1 BTC 30000 USD", 0, "expected 3 order lines"},
      {"", 0, "expected 3 order lines"},
      {"BUY\n0.1 BTC", 0, "got 2"},
      {"IDK\n0.1 BTC\n1 USD", 1, "BUY or SELL"},
      {"buy\n0.1 BTC\n1 USD", 1, "BUY or SELL"},
      {" BUY\n0.1 BTC\n1 USD", 1, "BUY or SELL"},
      {"\nBUY\n0.1 BTC\n1 USD\nx", 5, "unexpected extra line"},  // blank lines still count
      {"BUY\n0.1\n1 USD", 2, "separated by one space"},
      {"BUY\nBTC\n1 USD", 2, "separated by one space"},
      {"BUY\nidk BTC\n1 USD", 2, "digits"},
      {"BUY\n0.1  BTC\n1 USD", 2, "exactly one space"},
      {"BUY\n0.1 BTC extra\n1 USD", 2, "exactly one space"},
      {"BUY\n-1 BTC\n1 USD", 2, "positive"},
      {"BUY\n0 BTC\n1 USD", 2, "greater than zero"},
      {"BUY\n0.000 BTC\n1 USD", 2, "greater than zero"},
      {"BUY\n1e3 BTC\n1 USD", 2, "digits"},
      {"BUY\n.5 BTC\n1 USD", 2, "digits"},
      {"BUY\n5. BTC\n1 USD", 2, "digits"},
      {"BUY\n+5 BTC\n1 USD", 2, "digits"},
      {"BUY\n1,5 BTC\n1 USD", 2, "digits"},
      {"BUY\n0x1p4 BTC\n1 USD", 2, "digits"},
      {"BUY\n1 BTC\n0x1p4 USD", 3, "digits"},
      {"BUY\n1 BTC\n1E3 USD", 3, "digits"},
      {"BUY\n1 BTC\ninf USD", 3, "digits"},
      {"BUY\n1000000000 BTC\n1 USD", 2, "too large"},
      {"BUY\n99999999999999999999999 BTC\n1 USD", 2, "too large"},
      {"BUY\n0.0000000000001 BTC\n1 USD", 2, "more than 12 decimals"},
      {"BUY\n1 btc\n1 USD", 2, "upper-case"},
      {"BUY\n1 B\n1 USD", 2, "upper-case"},
      {"BUY\n1 BTC$\n1 USD", 2, "upper-case"},
      {"BUY\n1 VERYLONGTOKEN\n1 USD", 2, "upper-case"},
      {"BUY\n1 BTC\n1", 3, "separated by one space"},
      {"BUY\n1 BTC\n0 USD", 3, "greater than zero"},
      {"BUY\n1 BTC\n-3 USD", 3, "positive"},
      {"BUY\n1 BTC\n1 BTC", 3, "differ"},
      {"BUY\n1 BTC\n30000 USD\n<html>", 4, "unexpected extra line"},
      {"BUY\n1 BTC\n30000 USD\n\nmore", 5, "unexpected extra line"},
      {"BUY\n1 BTC\n30000 US\x01D", 3, "control or non-ASCII"},
      {std::string("BUY\n1 BTC\n30000 U\0SD", 20), 3, "control or non-ASCII"},
      {"BUY\n1 BTC\n30000 \xc3\xa9UR", 3, "control or non-ASCII"},
  };
  for (const auto& c : cases) {
    INFO("body: " << c.body);
    const OrderError e = error_of(c.body);
    CHECK(e.line == c.line);
    CHECK_THAT(e.reason, Catch::Contains(c.reason_part));
    if (c.line > 0)
      CHECK_THAT(e.message(), Catch::StartsWith("line " + std::to_string(c.line) + ": "));
  }
}

TEST_CASE("service: leading zeros do not count towards the size limit") {
  CHECK(order_of("BUY\n000000000001.5 BTC\n1 USD").amount.to_string() == "1.5");
  CHECK(order_of("BUY\n999999999.999999999999 BTC\n1 USD").base == "BTC");
}

TEST_CASE("service: an expected price with 12 decimals is held exactly") {
  // As a double this was 123456789.12345679: silently rounded.
  CHECK(order_of("BUY\n1 BTC\n123456789.123456789012 USD").expected_price.to_string() ==
        "123456789.123456789012");
  CHECK(order_of("SELL\n0.000000000001 BTC\n1 USD").amount.to_string() == "0.000000000001");
}
