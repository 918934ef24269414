#pragma once
// Pre-trade limits, checked before anything is sent to FalconX (and the
// notional again against the quoted price). Pure decisions.
//  - the pair must be in XECUTOR_ALLOWED_PAIRS ("BTC/USD"; an empty list refuses all);
//  - amount × price must not exceed XECUTOR_MAX_ORDER_NOTIONAL (quote token, exact).
#include <optional>
#include <string>
#include <vector>

#include "falcon_xecutor/core/decimal.h"
#include "falcon_xecutor/webhook/order.h"

namespace xecutor {

struct Refusal {
  int status = 422;
  std::string code;  // the JSON error code, also the reply's outcome
  std::string message;
  std::string limit;  // metric label of the limit that was hit
};

std::optional<Refusal> pair_refusal(const Order& order, const std::vector<std::string>& allowed);

// `price_word` names the price used ("expected", "quoted") in the message.
std::optional<Refusal> notional_refusal(Decimal amount, Decimal price, Decimal cap,
                                        const std::string& price_word);

}  // namespace xecutor
