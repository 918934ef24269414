#include "falcon_xecutor/webhook/order.h"

#include <algorithm>
#include <string_view>

namespace xecutor {
namespace {

// Bounds that keep a typo (an extra zero run) from becoming an order.
const Decimal kMaxValue = Decimal::from_integer(1'000'000'000);  // amounts and prices below 1e9
constexpr int kMaxFractionDigits = 12;
constexpr std::size_t kMinTokenLength = 2;
constexpr std::size_t kMaxTokenLength = 10;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// The positive decimal in `text`, or why it is not one we trade.
std::variant<Decimal, std::string> order_decimal(std::string_view text, const std::string& what) {
  if (text.empty()) return what + " is missing";
  if (text.front() == '-') return what + " must be positive, got '" + std::string(text) + "'";
  auto parsed = Decimal::parse(text);
  if (const auto* why = std::get_if<std::string>(&parsed)) return what + ": " + *why;
  const Decimal value = std::get<Decimal>(parsed);
  if (value >= kMaxValue)
    return what + " is too large (must be below 1e9), got '" + std::string(text) + "'";
  if (value.scale() > kMaxFractionDigits)
    return what + " has more than 12 decimals, got '" + std::string(text) + "'";
  if (value.is_zero()) return what + " must be greater than zero";
  return value;
}

std::string token_problem(std::string_view token, const std::string& what) {
  if (token.empty()) return what + " token is missing";
  const bool chars_ok = std::all_of(token.begin(), token.end(),
                                    [](char c) { return (c >= 'A' && c <= 'Z') || is_digit(c); });
  if (!chars_ok || token.size() < kMinTokenLength || token.size() > kMaxTokenLength)
    return what + " token must be 2-10 upper-case letters or digits, got '" + std::string(token) +
           "'";
  return {};
}

struct Amount {
  Decimal number;
  std::string token;
};

// "<number> <TOKEN>" with exactly one space.
std::variant<Amount, std::string> split_amount(std::string_view line, const std::string& what) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos)
    return "expected '<" + what + "> <TOKEN>' separated by one space, got '" + std::string(line) +
           "'";
  const std::string_view number = line.substr(0, space);
  const std::string token(line.substr(space + 1));
  if (token.find(' ') != std::string::npos || number.empty())
    return "expected '<" + what + "> <TOKEN>' separated by exactly one space, got '" +
           std::string(line) + "'";
  auto value = order_decimal(number, what);
  if (auto* why = std::get_if<std::string>(&value)) return *why;
  if (auto p = token_problem(token, what); !p.empty()) return p;
  return Amount{std::get<Decimal>(value), token};
}

}  // namespace

std::string side_lower(Side side) {
  return side == Side::Buy ? "buy" : "sell";
}

std::string OrderError::message() const {
  return line > 0 ? "line " + std::to_string(line) + ": " + reason : reason;
}

OrderParse parse_order(const std::vector<BodyLine>& lines) {
  if (lines.size() < 3)
    return OrderError{
        0, "expected 3 order lines (BUY|SELL, '<amount> <BASE>', '<price> <QUOTE>'), got " +
               std::to_string(lines.size())};
  for (const auto& l : lines)
    if (!printable(l.text)) return OrderError{l.number, "contains control or non-ASCII bytes"};

  Order order;
  if (lines[0].text == "BUY") {
    order.side = Side::Buy;
  } else if (lines[0].text == "SELL") {
    order.side = Side::Sell;
  } else {
    return OrderError{lines[0].number, "must be exactly BUY or SELL, got '" + lines[0].text + "'"};
  }

  auto amount = split_amount(lines[1].text, "amount");
  if (auto* why = std::get_if<std::string>(&amount)) return OrderError{lines[1].number, *why};
  auto price = split_amount(lines[2].text, "price");
  if (auto* why = std::get_if<std::string>(&price)) return OrderError{lines[2].number, *why};

  order.amount = std::get<Amount>(amount).number;
  order.base = std::get<Amount>(amount).token;
  order.expected_price = std::get<Amount>(price).number;
  order.quote = std::get<Amount>(price).token;
  if (order.base == order.quote)
    return OrderError{lines[2].number, "quote token must differ from the base token " + order.base};
  if (lines.size() > 3)
    return OrderError{lines[3].number,
                      "unexpected extra line (only 3 order lines and the secret line)"};
  return order;
}

}  // namespace xecutor
