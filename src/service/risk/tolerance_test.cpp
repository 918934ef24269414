#include "falcon_xecutor/risk/tolerance.h"

#include <catch2/catch.hpp>

using namespace xecutor;

namespace {

Decimal dec(std::string_view text) {
  return std::get<Decimal>(Decimal::parse(text));
}

PriceBand band(std::string_view tol_bps, std::string_view dev_bps = "500") {
  return {dec(tol_bps), dec(dev_bps)};
}

// One unit of the quote's own scale: "0.01" for scale 2.
Decimal unit(int scale) {
  return scale == 0 ? Decimal::from_integer(1)
                    : dec("0." + std::string(static_cast<std::size_t>(scale - 1), '0') + "1");
}

}  // namespace

TEST_CASE("service: a buy quote exactly on the limit is accepted (was 30029.999999999996)") {
  const PriceCheck on = check_price(Side::Buy, dec("30030"), dec("30000"), band("10"));
  CHECK(on.limit.to_string() == "30030");
  CHECK(on.acceptable());
  CHECK(check_price(Side::Buy, dec("30030.000000000000000001"), dec("30000"), band("10")).verdict ==
        PriceVerdict::BeyondLimit);
  CHECK(check_price(Side::Sell, dec("29970"), dec("30000"), band("10")).acceptable());
  CHECK(
      check_price(Side::Sell, dec("29969.999999999999999999"), dec("30000"), band("10")).verdict ==
      PriceVerdict::BeyondLimit);
}

TEST_CASE("service: on, one unit above and one unit below the limit, at several scales") {
  struct Case {
    const char* expected;
    const char* bps;
    const char* buy_limit;
    const char* sell_limit;
  };
  const Case cases[] = {
      {"30000", "10", "30030", "29970"},
      {"26153.1", "10", "26179.2531", "26126.9469"},
      {"0.01", "25", "0.010025", "0.009975"},
      {"123456789.123456789012", "1", "123469134.8023691346909012", "123444443.4445444433330988"},
      {"1", "0.5", "1.00005", "0.99995"},
      {"294", "0", "294", "294"},
  };
  for (const auto& c : cases) {
    INFO(c.expected << " at " << c.bps << " bps");
    const Decimal expected = dec(c.expected);
    const Decimal buy = dec(c.buy_limit), sell = dec(c.sell_limit);
    const PriceBand b = band(c.bps);
    REQUIRE(check_price(Side::Buy, buy, expected, b).limit == buy);
    REQUIRE(check_price(Side::Sell, sell, expected, b).limit == sell);
    for (int scale : {buy.scale(), buy.scale() + 1, 8, 18}) {
      INFO("scale " << scale);
      const Decimal u = unit(scale);
      CHECK(check_price(Side::Buy, buy, expected, b).acceptable());
      CHECK(check_price(Side::Buy, *buy.minus(u), expected, b).acceptable());
      CHECK(check_price(Side::Buy, *buy.plus(u), expected, b).verdict == PriceVerdict::BeyondLimit);
      CHECK(check_price(Side::Sell, sell, expected, b).acceptable());
      CHECK(check_price(Side::Sell, *sell.plus(u), expected, b).acceptable());
      CHECK(check_price(Side::Sell, *sell.minus(u), expected, b).verdict ==
            PriceVerdict::BeyondLimit);
    }
  }
}

TEST_CASE("service: every buy price level exactly on a 10 bps limit is accepted") {
  // The sweep: with doubles, 67 % of buys (12 % of sells) sitting exactly
  // on the limit were refused. Here each level is expected = n/100 for n up to
  // 200000 (0.01 .. 2000.00), limit computed by hand as n·1001/100000.
  const PriceBand b = band("10");
  for (std::uint64_t n = 1; n <= 200000; ++n) {
    const Decimal expected = *Decimal::from_integer(n).divided_by(100, Rounding::Exact);
    const Decimal buy = *Decimal::from_integer(n * 1001).divided_by(100000, Rounding::Exact);
    const Decimal sell = *Decimal::from_integer(n * 999).divided_by(100000, Rounding::Exact);
    REQUIRE(check_price(Side::Buy, buy, expected, b).acceptable());
    REQUIRE(check_price(Side::Sell, sell, expected, b).acceptable());
  }
}

TEST_CASE("service: the sanity band refuses prices far from the expected one on either side") {
  const PriceBand b = band("10", "500");
  // "0x1p4" would have been 16: a buy far below expectations is not a bargain, it is a bug.
  const PriceCheck cheap = check_price(Side::Buy, dec("16"), dec("30000"), b);
  CHECK(cheap.verdict == PriceVerdict::OutsideBand);
  CHECK(cheap.band_low.to_string() == "28500");
  CHECK(cheap.band_high.to_string() == "31500");
  CHECK(check_price(Side::Buy, dec("28500"), dec("30000"), b).acceptable());
  CHECK(check_price(Side::Buy, dec("28499.99"), dec("30000"), b).verdict ==
        PriceVerdict::OutsideBand);
  CHECK(check_price(Side::Sell, dec("31500"), dec("30000"), b).acceptable());
  CHECK(check_price(Side::Sell, dec("31500.01"), dec("30000"), b).verdict ==
        PriceVerdict::OutsideBand);
}

TEST_CASE("service: a zero quote is never acceptable") {
  CHECK_FALSE(check_price(Side::Buy, dec("0"), dec("30000"), band("10", "9999")).acceptable());
  CHECK_FALSE(check_price(Side::Sell, dec("0"), dec("30000"), band("9999", "9999")).acceptable());
}
