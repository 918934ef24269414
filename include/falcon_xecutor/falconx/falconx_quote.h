#pragma once
// A FalconX quote/execute answer, read defensively and exactly:
//  - every JSON number is read from its own text, never through a double
//    (nlohmann's SAX interface hands over the raw token), and prices,
//    quantities and executed prices must then pass Decimal's strict grammar.
//    A price such as "0x1p4", "1e3", "-5" or " 1" makes the whole answer an
//    error: a price we cannot read exactly is not a price we trade on.
//  - prices may be JSON numbers, strings or null; every field but
//    fx_quote_id is optional.
#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "falcon_xecutor/core/decimal.h"

namespace xecutor {

struct FalconxQuote {
  std::string fx_quote_id;
  std::optional<Decimal> buy_price;
  std::optional<Decimal> sell_price;
  std::optional<Decimal> price_executed;
  std::optional<Decimal> quantity;  // quantity_requested.value
  std::string quantity_token;       // quantity_requested.token
  std::string t_expiry_text;
  std::optional<std::chrono::system_clock::time_point> t_expiry;
  bool is_filled = false;
  std::string side_executed;
};

// Error text when the body is not a successful quote object (bad JSON, status
// other than "success", non-null error, no fx_quote_id, a malformed number).
using QuoteParse = std::variant<FalconxQuote, std::string>;
QuoteParse parse_falconx_quote(const std::string& body);

// The human message in a FalconX error body ({"message"}, {"code","reason"}),
// or a clipped excerpt of the raw body.
std::string falconx_error_message(const std::string& body);

}  // namespace xecutor
