#pragma once
// The order in a TradingView alert, original falcon-xecutor format:
//   line 1: BUY | SELL
//   line 2: <amount> <BASE>      e.g. 0.0001 BTC
//   line 3: <price> <QUOTE>      e.g. 30000 USD   (the price the alert expects)
// Numbers follow Decimal's strict grammar (digits with an optional .digits; no
// sign, exponent, hex, leading dot), are > 0, below 1e9 and have at most 12
// decimals; they are held exactly. Exactly one space separates number and
// token. Nothing else may follow.
#include <string>
#include <variant>
#include <vector>

#include "falcon_xecutor/core/decimal.h"
#include "falcon_xecutor/webhook/webhook_body.h"

namespace xecutor {

enum class Side { Buy, Sell };
std::string side_lower(Side side);  // "buy" / "sell", as FalconX wants it

struct Order {
  Side side = Side::Buy;
  Decimal amount;  // in base token; sent to FalconX as its canonical text
  std::string base;
  Decimal expected_price;  // in quote token per base unit
  std::string quote;
};

struct OrderError {
  int line = 0;  // 1-based line of the body; 0 when the body as a whole is wrong
  std::string reason;
  std::string message() const;  // "line 2: ..."
};

using OrderParse = std::variant<Order, OrderError>;

OrderParse parse_order(const std::vector<BodyLine>& lines);

}  // namespace xecutor
