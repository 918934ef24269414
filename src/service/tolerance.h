#pragma once
// Is the FalconX price close enough to the price the alert expected?
// Buy: the quoted buy price may not exceed expected * (1 + tolerance).
// Sell: the quoted sell price may not fall below expected * (1 - tolerance).
#include "service/order.h"

namespace xecutor {

struct PriceCheck {
  bool acceptable = false;
  double limit = 0;  // the worst price that would have been accepted
};

PriceCheck check_price(Side side, double quoted, double expected, double tolerance);

}  // namespace xecutor
