#pragma once
// Is the FalconX price close enough to the price the alert expected? Exact
// decimal arithmetic, tolerances in basis points (1 bp = 0.01 %).
//  - The limit is side-aware: a buy accepts up to expected × (1 + tol/10000),
//    a sell down to expected × (1 − tol/10000).
//  - A two-sided sanity band refuses any price further than max_deviation
//    from the expected one, whatever the side: a buy quote of 16 against an
//    expected 30000 is "cheaper" but says something is broken.
// Rounding: limits are rounded toward the safe side onto the 10^-18 grid
// (a buy limit down, a sell limit and the band's low edge up, the band's high
// edge down). Quotes live on that grid too, so this decides exactly as the
// unrounded limit would.
#include "falcon_xecutor/core/decimal.h"
#include "falcon_xecutor/webhook/order.h"

namespace xecutor {

struct PriceBand {
  Decimal tolerance_bps = Decimal::from_integer(10);
  Decimal max_deviation_bps = Decimal::from_integer(500);
};

enum class PriceVerdict { Acceptable, BeyondLimit, OutsideBand };

struct PriceCheck {
  PriceVerdict verdict = PriceVerdict::BeyondLimit;
  Decimal limit;  // the worst price the side accepts
  Decimal band_low;
  Decimal band_high;
  bool acceptable() const { return verdict == PriceVerdict::Acceptable; }
};

// Throws std::overflow_error only for values beyond Decimal's range, which
// the order parser's bounds (< 1e9) rule out.
PriceCheck check_price(Side side, Decimal quoted, Decimal expected, const PriceBand& band);

// Is a price the side accepts against an already computed limit?
bool within_limit(Side side, Decimal price, Decimal limit);

}  // namespace xecutor
