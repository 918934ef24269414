#include "falcon_xecutor/core/decimal.h"

#include <catch2/catch.hpp>
#include <random>

using namespace xecutor;

namespace {

Decimal dec(std::string_view text) {
  auto parsed = Decimal::parse(text);
  if (const auto* why = std::get_if<std::string>(&parsed))
    FAIL("parse('" << text << "'): " << *why);
  return std::get<Decimal>(parsed);
}

std::string refusal(std::string_view text) {
  auto parsed = Decimal::parse(text);
  REQUIRE(std::holds_alternative<std::string>(parsed));
  return std::get<std::string>(parsed);
}

// Reference arithmetic on digit strings (schoolbook), independent of the
// 128-bit code: the product of two decimals as an exact decimal string.
std::string reference_product(const std::string& a, const std::string& b) {
  auto digits = [](const std::string& s, int& scale) {
    const auto dot = s.find('.');
    scale = dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
    std::string d;
    for (char c : s)
      if (c != '.') d += c;
    return d;
  };
  int sa = 0, sb = 0;
  const std::string da = digits(a, sa), db = digits(b, sb);
  std::vector<int> out(da.size() + db.size(), 0);
  for (std::size_t i = da.size(); i-- > 0;)
    for (std::size_t j = db.size(); j-- > 0;) {
      out[i + j + 1] += (da[i] - '0') * (db[j] - '0');
      out[i + j] += out[i + j + 1] / 10;
      out[i + j + 1] %= 10;
    }
  std::string s;
  for (int v : out) s += char('0' + v);
  const int scale = sa + sb;
  std::string whole = s.substr(0, s.size() - scale), frac = s.substr(s.size() - scale);
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
  if (whole.empty()) whole = "0";
  frac.erase(frac.find_last_not_of('0') + 1);
  return frac.empty() ? whole : whole + "." + frac;
}

std::string random_decimal(std::mt19937_64& rng, int max_int, int max_frac) {
  std::uniform_int_distribution<int> ni(1, max_int), nf(0, max_frac), digit(0, 9);
  std::string s;
  const int n = ni(rng);
  for (int i = 0; i < n; ++i) s += char('0' + (i == 0 && n > 1 ? 1 + digit(rng) % 9 : digit(rng)));
  const int f = nf(rng);
  if (f > 0) {
    s += '.';
    for (int i = 0; i < f; ++i) s += char('0' + digit(rng));
    if (s.back() == '0') s.back() = '7';  // canonical: no trailing zero
  }
  return s;
}

}  // namespace

TEST_CASE("decimal: canonical text round-trips exactly") {
  for (const char* s :
       {"0", "1", "0.1", "30030", "30029.999999999999999999", "26153.1", "123456789.123456789012",
        "99999999999999999999.999999999999999999", "0.000000000000000001"})
    CHECK(dec(s).to_string() == s);
  CHECK(dec("0030.100").to_string() == "30.1");
  CHECK(dec("0.0").to_string() == "0");
  CHECK(dec("000").is_zero());
  CHECK(dec("294.0") == dec("294"));
  CHECK(dec("0.10000").scale() == 1);
  CHECK(dec("30030").scale() == 0);
  CHECK(dec("0.000000000000000001").scale() == 18);
  CHECK(Decimal::from_integer(10000).to_string() == "10000");
}

TEST_CASE("decimal: random canonical decimals round-trip") {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    const std::string s = random_decimal(rng, 20, 18);
    REQUIRE(dec(s).to_string() == s);
  }
}

TEST_CASE("decimal: lenient forms are refused with a reason") {
  for (const char* s :
       {"0x1p4",    "0x10",  "1e3", "1E3",       "-1",   "+1",    " 1",  "1 ",  "1\n",
        "\t1",      "",      ".5",  "5.",        ".",    "1.2.3", "1,5", "inf", "nan",
        "Infinity", "1_000", "١",   "1\xC2\xA0", "0.1f", "1e-3",  "NaN"}) {
    INFO(s);
    CHECK_FALSE(refusal(s).empty());
  }
  CHECK(refusal("0x1p4").find("only digits and one '.'") != std::string::npos);
  CHECK(refusal(".5").find("digits on both sides") != std::string::npos);
  CHECK(refusal("").find("empty") != std::string::npos);
}

TEST_CASE("decimal: bounds on length, integer digits and decimals") {
  CHECK(dec("99999999999999999999").to_string() == "99999999999999999999");  // 20 digits
  CHECK(refusal("100000000000000000000").find("too large") != std::string::npos);
  CHECK(dec("000000000000000000000000001").to_string() == "1");  // leading zeros do not count
  CHECK(dec("1.000000000000000001").to_string() == "1.000000000000000001");
  CHECK(refusal("1.0000000000000000001").find("more than 18 decimals") != std::string::npos);
  CHECK(refusal(std::string(65, '1')).find("too long") != std::string::npos);
  // An error quotes the text clipped and without control bytes.
  const std::string why = refusal(std::string("\x01") + std::string(60, 'a'));
  CHECK(why.find('\x01') == std::string::npos);
  CHECK(why.find("...") != std::string::npos);
}

TEST_CASE("decimal: comparisons are exact at every scale") {
  CHECK(dec("30030") == dec("30030.000"));
  CHECK(dec("30029.999999999999999999") < dec("30030"));
  CHECK(dec("30030.000000000000000001") > dec("30030"));
  CHECK(dec("0.1") < dec("0.10000000000000001"));
  CHECK(dec("99999999999999999999.999999999999999999") >
        dec("99999999999999999999.99999999999999999"));
}

TEST_CASE("decimal: add and subtract are exact; overflow and underflow are reported") {
  CHECK(dec("0.1").plus(dec("0.2"))->to_string() == "0.3");
  CHECK(dec("30000").plus(dec("30"))->to_string() == "30030");
  CHECK(dec("1").minus(dec("0.000000000000000001"))->to_string() == "0.999999999999999999");
  CHECK(dec("1").minus(dec("1"))->is_zero());
  CHECK_FALSE(dec("1").minus(dec("1.000000000000000001")));
  CHECK_FALSE(dec("99999999999999999999.999999999999999999").plus(dec("0.000000000000000001")));
  CHECK(dec("99999999999999999999").plus(dec("0.999999999999999999"))->to_string() ==
        "99999999999999999999.999999999999999999");
}

TEST_CASE("decimal: multiply is exact within 18 decimals and rounds as told beyond") {
  CHECK(dec("30000").times(dec("1.001"), Rounding::Exact)->to_string() == "30030");
  CHECK(dec("30000").times(dec("0.999"), Rounding::Exact)->to_string() == "29970");
  CHECK(dec("123456789.123456789012").times(dec("1"), Rounding::Exact)->to_string() ==
        "123456789.123456789012");
  // 0.000000000000000001 * 0.5 = 5e-19: below the grid.
  const Decimal tiny = dec("0.000000000000000001"), half = dec("0.5");
  CHECK(tiny.times(half, Rounding::Down)->is_zero());
  CHECK(tiny.times(half, Rounding::Up)->to_string() == "0.000000000000000001");
  CHECK_FALSE(tiny.times(half, Rounding::Exact));
  CHECK(dec("0").times(dec("99999999999999999999"), Rounding::Exact)->is_zero());
  // Overflow near the 10^20 bound, in each partial product.
  CHECK_FALSE(dec("10000000000").times(dec("10000000000"), Rounding::Exact));
  CHECK(dec("9999999999").times(dec("10000000000"), Rounding::Exact)->to_string() ==
        "99999999990000000000");
  CHECK_FALSE(dec("99999999999999999999").times(dec("1.000000000000000001"), Rounding::Down));
  CHECK_FALSE(dec("99999999999999999999.9").times(dec("99999999999999999999.9"), Rounding::Down));
}

TEST_CASE("decimal: multiply matches schoolbook arithmetic on random operands") {
  std::mt19937_64 rng(42);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string a = random_decimal(rng, 10, 9), b = random_decimal(rng, 9, 9);
    const std::string expected = reference_product(a, b);  // at most 18 decimals: exact
    const auto got = dec(a).times(dec(b), Rounding::Exact);
    REQUIRE(got);
    REQUIRE(got->to_string() == expected);
    ++checked;
  }
  CHECK(checked == 20000);
}

TEST_CASE("decimal: multiply rounding brackets the exact product") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 5000; ++i) {
    const std::string a = random_decimal(rng, 6, 14), b = random_decimal(rng, 2, 14);
    const auto down = dec(a).times(dec(b), Rounding::Down);
    const auto up = dec(a).times(dec(b), Rounding::Up);
    REQUIRE(down);
    REQUIRE(up);
    const std::string exact = reference_product(a, b);
    const auto dot = exact.find('.');
    const bool fits = dot == std::string::npos || exact.size() - dot - 1 <= 18;
    if (fits) {
      REQUIRE(down->to_string() == exact);
      REQUIRE(up == down);
    } else {
      std::string truncated = exact.substr(0, dot + 19);  // 18 decimals, rounded down
      truncated.erase(truncated.find_last_not_of('0') + 1);
      if (truncated.back() == '.') truncated.pop_back();
      REQUIRE(down->to_string() == truncated);
      REQUIRE(up->minus(*down)->to_string() == "0.000000000000000001");
    }
  }
}

TEST_CASE("decimal: division by a whole number rounds as told") {
  CHECK(dec("10").divided_by(10000, Rounding::Exact)->to_string() == "0.001");
  CHECK(dec("1").divided_by(3, Rounding::Down)->to_string() == "0.333333333333333333");
  CHECK(dec("1").divided_by(3, Rounding::Up)->to_string() == "0.333333333333333334");
  CHECK_FALSE(dec("1").divided_by(3, Rounding::Exact));
  CHECK_FALSE(dec("1").divided_by(0, Rounding::Down));
}
