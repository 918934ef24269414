#include "falcon_xecutor/core/decimal.h"

#include <algorithm>

namespace xecutor {
namespace {

using Units = Decimal::Units;

constexpr Units pow10(int n) {
  Units p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

constexpr Units kOne = pow10(Decimal::kScale);
// Exclusive bound: 10^20 whole units, i.e. 10^38 raw units (< 2^128 ≈ 3.4e38).
constexpr Units kBound = pow10(Decimal::kScale + Decimal::kMaxIntegerDigits);

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The text as it may be quoted back in an error: clipped, control bytes shown as '?'.
std::string shown(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string s(text.substr(0, kShown));
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c < 0x20 || c >= 0x7f; }, '?');
  return "'" + s + (text.size() > kShown ? "...'" : "'");
}

std::optional<Units> add(Units a, Units b) {
  Units sum = 0;
  if (__builtin_add_overflow(a, b, &sum) || sum >= kBound) return std::nullopt;
  return sum;
}

// Applies `rounding` to a quotient whose discarded remainder is `remainder`.
std::optional<Units> rounded(Units quotient, Units remainder, Rounding rounding) {
  if (remainder == 0 || rounding == Rounding::Down) return quotient;
  if (rounding == Rounding::Exact) return std::nullopt;
  return add(quotient, 1);
}

}  // namespace

Decimal Decimal::from_integer(std::uint64_t whole) {
  return Decimal(static_cast<Units>(whole) * kOne);  // < 1.9e19 * 1e18 < kBound
}

std::optional<Decimal> Decimal::from_units(Units units) {
  if (units >= kBound) return std::nullopt;
  return Decimal(units);
}

std::variant<Decimal, std::string> Decimal::parse(std::string_view text) {
  if (text.empty()) return std::string("empty text is not a decimal");
  if (text.size() > kMaxTextLength)
    return shown(text) + " is too long for a decimal (at most " + std::to_string(kMaxTextLength) +
           " characters)";
  const bool plain =
      std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c) || c == '.'; }) &&
      std::count(text.begin(), text.end(), '.') <= 1;
  if (!plain)
    return shown(text) +
           " is not a plain decimal: only digits and one '.' are allowed (no sign, exponent, hex "
           "or spaces)";
  const std::size_t dot = text.find('.');
  const std::string_view integer = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (integer.empty() || (dot != std::string_view::npos && fraction.empty()))
    return shown(text) + " needs digits on both sides of the '.'";
  const std::size_t significant = std::min(integer.find_first_not_of('0'), integer.size());
  if (integer.size() - significant > static_cast<std::size_t>(kMaxIntegerDigits))
    return shown(text) + " is too large (at most " + std::to_string(kMaxIntegerDigits) +
           " integer digits)";
  if (fraction.size() > static_cast<std::size_t>(kScale))
    return shown(text) + " has more than " + std::to_string(kScale) + " decimals";
  Units units = 0;
  for (char c : integer.substr(significant)) units = units * 10 + static_cast<Units>(c - '0');
  for (char c : fraction) units = units * 10 + static_cast<Units>(c - '0');
  units *= pow10(kScale - static_cast<int>(fraction.size()));
  return Decimal(units);  // < 10^20 * 10^18 by the digit bounds
}

std::string Decimal::to_string() const {
  std::string digits;
  for (Units u = units_; u != 0; u /= 10) digits.insert(digits.begin(), char('0' + int(u % 10)));
  if (digits.size() <= static_cast<std::size_t>(kScale))
    digits.insert(0, static_cast<std::size_t>(kScale) + 1 - digits.size(), '0');
  std::string whole = digits.substr(0, digits.size() - kScale);
  std::string fraction = digits.substr(digits.size() - kScale);
  fraction.erase(fraction.find_last_not_of('0') + 1);  // npos + 1 == 0 clears all-zero
  return fraction.empty() ? whole : whole + "." + fraction;
}

int Decimal::scale() const {
  int scale = kScale;
  for (Units u = units_; scale > 0 && u % 10 == 0; u /= 10) --scale;
  return scale;
}

std::optional<Decimal> Decimal::plus(Decimal other) const {
  const auto sum = add(units_, other.units_);
  if (!sum) return std::nullopt;
  return Decimal(*sum);
}

std::optional<Decimal> Decimal::minus(Decimal other) const {
  if (other.units_ > units_) return std::nullopt;
  return Decimal(units_ - other.units_);
}

// a·b / 10^18 without a 256-bit intermediate: split each into whole and
// fractional parts (a = ah·10^18 + al), so every partial product fits in
// 128 bits and only al·bl / 10^18 can leave a remainder.
std::optional<Decimal> Decimal::times(Decimal other, Rounding rounding) const {
  const Units ah = units_ / kOne, al = units_ % kOne;
  const Units bh = other.units_ / kOne, bl = other.units_ % kOne;
  Units whole = 0;
  if (__builtin_mul_overflow(ah, bh, &whole) || whole >= kBound / kOne) return std::nullopt;
  const Units low = al * bl;  // < 10^36
  auto total = rounded(low / kOne, low % kOne, rounding);
  if (!total) return std::nullopt;
  for (Units part : {whole * kOne, ah * bl, al * bh}) {  // each < 10^38
    total = add(*total, part);
    if (!total) return std::nullopt;
  }
  return Decimal(*total);
}

std::optional<Decimal> Decimal::divided_by(std::uint64_t divisor, Rounding rounding) const {
  if (divisor == 0) return std::nullopt;
  const auto q = rounded(units_ / divisor, units_ % divisor, rounding);
  if (!q) return std::nullopt;
  return Decimal(*q);
}

}  // namespace xecutor
