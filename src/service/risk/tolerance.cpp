#include "falcon_xecutor/risk/tolerance.h"

#include <stdexcept>

namespace xecutor {
namespace {

const Decimal kBpsPerOne = Decimal::from_integer(10000);

Decimal checked(std::optional<Decimal> d) {
  if (!d) throw std::overflow_error("price arithmetic beyond the decimal range");
  return *d;
}

// expected × (1 ± bps/10000), rounded as told.
Decimal moved(Decimal expected, Decimal bps, bool upwards, Rounding rounding) {
  const Decimal factor_bps = checked(upwards ? kBpsPerOne.plus(bps) : kBpsPerOne.minus(bps));
  const Decimal factor = checked(factor_bps.divided_by(10000, rounding));
  return checked(expected.times(factor, rounding));
}

}  // namespace

bool within_limit(Side side, Decimal price, Decimal limit) {
  return side == Side::Buy ? price <= limit : price >= limit;
}

PriceCheck check_price(Side side, Decimal quoted, Decimal expected, const PriceBand& band) {
  PriceCheck c;
  c.limit = side == Side::Buy ? moved(expected, band.tolerance_bps, true, Rounding::Down)
                              : moved(expected, band.tolerance_bps, false, Rounding::Up);
  c.band_low = moved(expected, band.max_deviation_bps, false, Rounding::Up);
  c.band_high = moved(expected, band.max_deviation_bps, true, Rounding::Down);
  if (quoted.is_zero() || !within_limit(side, quoted, c.limit))
    c.verdict = PriceVerdict::BeyondLimit;
  else if (quoted < c.band_low || quoted > c.band_high)
    c.verdict = PriceVerdict::OutsideBand;
  else
    c.verdict = PriceVerdict::Acceptable;
  return c;
}

}  // namespace xecutor
