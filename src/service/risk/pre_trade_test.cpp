#include "falcon_xecutor/risk/pre_trade.h"

#include <catch2/catch.hpp>

using namespace xecutor;

namespace {
Decimal dec(std::string_view text) {
  return std::get<Decimal>(Decimal::parse(text));
}
Order order(const std::string& base, const std::string& quote) {
  Order o;
  o.base = base;
  o.quote = quote;
  o.amount = dec("1");
  o.expected_price = dec("1");
  return o;
}
}  // namespace

TEST_CASE("service: only allowed pairs may trade; an empty list refuses all") {
  const std::vector<std::string> allowed{"BTC/USD", "ETH/USD"};
  CHECK_FALSE(pair_refusal(order("BTC", "USD"), allowed));
  CHECK_FALSE(pair_refusal(order("ETH", "USD"), allowed));
  const auto r = pair_refusal(order("DOGE", "USD"), allowed);
  REQUIRE(r);
  CHECK(r->status == 403);
  CHECK(r->code == "pair_not_allowed");
  CHECK_THAT(r->message, Catch::Contains("DOGE/USD"));
  CHECK(pair_refusal(order("USD", "BTC"), allowed));  // direction matters
  CHECK(pair_refusal(order("BTC", "USD"), {}));
}

TEST_CASE("service: order notional is capped exactly, in the quote token") {
  const Decimal cap = dec("10000");
  CHECK_FALSE(notional_refusal(dec("0.1"), dec("30000"), cap, "expected"));  // 3000
  CHECK_FALSE(notional_refusal(dec("0.5"), dec("20000"), cap, "expected"));  // exactly 10000
  const auto over = notional_refusal(dec("0.5"), dec("20000.00000002"), cap, "quoted");
  REQUIRE(over);
  CHECK(over->status == 422);
  CHECK(over->code == "order_notional_exceeded");
  CHECK_THAT(over->message, Catch::Contains("10000.00000001") && Catch::Contains("quoted"));
  // The order: 999,999,999 BTC at 999,999,999 USD.
  const auto huge = notional_refusal(dec("999999999"), dec("999999999"), cap, "expected");
  REQUIRE(huge);
  CHECK_THAT(huge->message, Catch::Contains("999999998000000001"));
  // Rounded up: 0.000000000000000001 × 0.5 is not zero for the cap.
  CHECK(notional_refusal(dec("0.000000000000000001"), dec("0.5"), dec("0"), "expected"));
}
