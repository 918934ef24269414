#pragma once
// An exact, non-negative decimal for money: prices, amounts, notionals, basis
// points. Held as an unsigned 128-bit count of 10^-18 units, so every decimal
// text with at most 20 integer digits and 18 decimals is represented exactly
// (binary floating point cannot hold 0.1, and rounded 30030 to
// 30029.999999999996). Nothing here is negative: money amounts and limits never
// are, and a subtraction that would go below zero is reported, not wrapped.
//
// Grammar accepted by parse(): DIGITS [ "." DIGITS ]
//   - no sign, no exponent, no hex, no leading or trailing dot, no whitespace;
//   - at most 20 integer digits after leading zeros, at most 18 decimals, at
//     most 64 characters in all. Anything else is refused with a reason.
// Arithmetic never has undefined behaviour: overflow and underflow give
// std::nullopt. Multiplication rounds only the digits beyond the 18th decimal,
// in the direction the caller names (Rounding::Down toward zero, Rounding::Up
// away from zero, Rounding::Exact refuses any rounding).
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace xecutor {

enum class Rounding { Down, Up, Exact };

class Decimal {
 public:
  static constexpr int kScale = 18;             // decimals held
  static constexpr int kMaxIntegerDigits = 20;  // below 10^20
  static constexpr std::size_t kMaxTextLength = 64;
  __extension__ typedef unsigned __int128 Units;  // value * 10^18 (GCC/Clang builtin)

  constexpr Decimal() = default;
  static Decimal from_integer(std::uint64_t whole);
  // The value `units` * 10^-18; nullopt when beyond 10^20.
  static std::optional<Decimal> from_units(Units units);

  // The decimal, or why the text is not one (e.g. "'0x1p4' is not a plain
  // decimal: only digits and one '.' are allowed").
  static std::variant<Decimal, std::string> parse(std::string_view text);

  // Canonical text: no leading zeros (except a single "0" before the point),
  // no trailing zeros after the point, no point for whole numbers. "30030", "0.1".
  std::string to_string() const;
  // Number of decimals to_string() shows (0 for whole numbers).
  int scale() const;

  Units units() const { return units_; }
  bool is_zero() const { return units_ == 0; }

  std::optional<Decimal> plus(Decimal other) const;
  std::optional<Decimal> minus(Decimal other) const;  // nullopt when other > *this
  std::optional<Decimal> times(Decimal other, Rounding rounding) const;
  // Division by a positive whole number (e.g. 10000 for basis points).
  std::optional<Decimal> divided_by(std::uint64_t divisor, Rounding rounding) const;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy misreads the defaulted <=>
  friend constexpr auto operator<=>(Decimal, Decimal) = default;
  friend constexpr bool operator==(Decimal, Decimal) = default;

 private:
  explicit constexpr Decimal(Units units) : units_(units) {}
  Units units_ = 0;
};

}  // namespace xecutor
