#include "service/order.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace xecutor {
namespace {

// Bounds that keep a typo (an extra zero run) from becoming an order and keep
// the text convertible to a double without loss that matters.
constexpr std::size_t kMaxIntegerDigits = 9;  // amounts and prices below 1e9
constexpr std::size_t kMaxFractionDigits = 12;
constexpr std::size_t kMinTokenLength = 2;
constexpr std::size_t kMaxTokenLength = 10;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Empty when `text` is a valid positive decimal, else why not.
std::string decimal_problem(std::string_view text, const std::string& what) {
  if (text.empty()) return what + " is missing";
  if (text.front() == '-') return what + " must be positive, got '" + std::string(text) + "'";
  const std::size_t dot = text.find('.');
  const std::string_view integer = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  const bool digits_ok =
      !integer.empty() && std::all_of(integer.begin(), integer.end(), is_digit) &&
      (dot == std::string_view::npos ||
       (!fraction.empty() && std::all_of(fraction.begin(), fraction.end(), is_digit)));
  if (!digits_ok)
    return what + " must be digits with an optional .digits, got '" + std::string(text) + "'";
  const std::size_t significant = integer.find_first_not_of('0');
  const std::size_t int_digits =
      significant == std::string_view::npos ? 0 : integer.size() - significant;
  if (int_digits > kMaxIntegerDigits)
    return what + " is too large (must be below 1e9), got '" + std::string(text) + "'";
  if (fraction.size() > kMaxFractionDigits)
    return what + " has more than 12 decimals, got '" + std::string(text) + "'";
  if (std::strtod(std::string(text).c_str(), nullptr) <= 0)
    return what + " must be greater than zero";
  return {};
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
  std::string number;
  std::string token;
};

// "<number> <TOKEN>" with exactly one space.
std::variant<Amount, std::string> split_amount(std::string_view line, const std::string& what) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos)
    return "expected '<" + what + "> <TOKEN>' separated by one space, got '" + std::string(line) +
           "'";
  Amount a{std::string(line.substr(0, space)), std::string(line.substr(space + 1))};
  if (a.token.find(' ') != std::string::npos || a.number.empty())
    return "expected '<" + what + "> <TOKEN>' separated by exactly one space, got '" +
           std::string(line) + "'";
  if (auto p = decimal_problem(a.number, what); !p.empty()) return p;
  if (auto p = token_problem(a.token, what); !p.empty()) return p;
  return a;
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
  order.expected_price = std::strtod(std::get<Amount>(price).number.c_str(), nullptr);
  order.quote = std::get<Amount>(price).token;
  if (order.base == order.quote)
    return OrderError{lines[2].number, "quote token must differ from the base token " + order.base};
  if (lines.size() > 3)
    return OrderError{lines[3].number,
                      "unexpected extra line (only 3 order lines and the secret line)"};
  return order;
}

}  // namespace xecutor
