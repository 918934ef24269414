#include "service/tolerance.h"

#include <cmath>

namespace xecutor {

PriceCheck check_price(Side side, double quoted, double expected, double tolerance) {
  PriceCheck c;
  c.limit = side == Side::Buy ? expected * (1 + tolerance) : expected * (1 - tolerance);
  // A non-finite or non-positive quote is never acceptable, whatever the side.
  if (!std::isfinite(quoted) || quoted <= 0) return c;
  c.acceptable = side == Side::Buy ? quoted <= c.limit : quoted >= c.limit;
  return c;
}

}  // namespace xecutor
