#pragma once
// A FalconX quote/execute answer, read defensively: prices may be JSON
// numbers, strings or null; every field but fx_quote_id is optional.
#include <chrono>
#include <optional>
#include <string>
#include <variant>

namespace xecutor {

struct FalconxQuote {
  std::string fx_quote_id;
  std::optional<double> buy_price;
  std::optional<double> sell_price;
  std::optional<double> price_executed;
  std::string t_expiry_text;
  std::optional<std::chrono::system_clock::time_point> t_expiry;
  bool is_filled = false;
  std::string side_executed;
};

// Error text when the body is not a successful quote object
// (bad JSON, status other than "success", non-null error, no fx_quote_id).
using QuoteParse = std::variant<FalconxQuote, std::string>;
QuoteParse parse_falconx_quote(const std::string& body);

// The human message in a FalconX error body ({"message"}, {"code","reason"}),
// or a clipped excerpt of the raw body.
std::string falconx_error_message(const std::string& body);

}  // namespace xecutor
