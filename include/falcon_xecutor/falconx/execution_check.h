#pragma once
// Post-trade check: does FalconX's execute answer describe the trade we asked
// for? The same fx_quote_id, side and quantity, and a price_executed within
// the limit the quote was accepted under. Any difference is a critical fact
// for a human, never something to paper over. Pure.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "falcon_xecutor/core/decimal.h"
#include "falcon_xecutor/falconx/falconx_quote.h"
#include "falcon_xecutor/webhook/order.h"

namespace xecutor {

struct ExpectedExecution {
  std::string fx_quote_id;
  Side side = Side::Buy;
  Decimal amount;
  Decimal limit;
};

struct Mismatch {
  std::string field;  // "fx_quote_id", "side_executed", "quantity", "price_executed"
  std::string expected;
  std::string got;  // "(missing)" when FalconX did not say
};

// Empty when the answer matches.
std::vector<Mismatch> execution_mismatches(const ExpectedExecution& expected,
                                           const FalconxQuote& answer);

// [{"field","expected","got"}, ...]: the mismatches as answers, logs and
// GET /orders show them.
nlohmann::ordered_json mismatch_json(const std::vector<Mismatch>& mismatches);

}  // namespace xecutor
