#include "falcon_xecutor/risk/pre_trade.h"

#include <algorithm>

namespace xecutor {

std::optional<Refusal> pair_refusal(const Order& order, const std::vector<std::string>& allowed) {
  const std::string pair = order.base + "/" + order.quote;
  if (std::find(allowed.begin(), allowed.end(), pair) != allowed.end()) return std::nullopt;
  return Refusal{403, "pair_not_allowed", "pair " + pair + " is not in XECUTOR_ALLOWED_PAIRS",
                 "allowed_pairs"};
}

std::optional<Refusal> notional_refusal(Decimal amount, Decimal price, Decimal cap,
                                        const std::string& price_word) {
  // Rounded up: a notional a hair over the cap must not slip under it.
  const auto notional = amount.times(price, Rounding::Up);
  if (notional && *notional <= cap) return std::nullopt;
  return Refusal{422, "order_notional_exceeded",
                 "order notional " + (notional ? notional->to_string() : "(beyond range)") +
                     " at the " + price_word + " price exceeds XECUTOR_MAX_ORDER_NOTIONAL " +
                     cap.to_string(),
                 "max_order_notional"};
}

}  // namespace xecutor
