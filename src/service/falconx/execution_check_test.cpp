#include "falcon_xecutor/falconx/execution_check.h"

#include <catch2/catch.hpp>

using namespace xecutor;

namespace {
Decimal dec(std::string_view text) {
  return std::get<Decimal>(Decimal::parse(text));
}
FalconxQuote filled(const std::string& id, const std::string& side, const char* qty,
                    const char* price) {
  FalconxQuote q;
  q.fx_quote_id = id;
  q.is_filled = true;
  q.side_executed = side;
  if (qty) q.quantity = dec(qty);
  if (price) q.price_executed = dec(price);
  return q;
}
std::vector<std::string> fields(const std::vector<Mismatch>& m) {
  std::vector<std::string> out;
  out.reserve(m.size());
  for (const auto& x : m) out.push_back(x.field);
  return out;
}
}  // namespace

TEST_CASE("service: a matching execute answer has no mismatch (price on the limit included)") {
  const ExpectedExecution buy{"q1", Side::Buy, dec("0.1"), dec("30030")};
  CHECK(execution_mismatches(buy, filled("q1", "buy", "0.10000", "30030")).empty());
  CHECK(execution_mismatches(buy, filled("q1", "buy", "0.1", "29000")).empty());
  const ExpectedExecution sell{"q1", Side::Sell, dec("2"), dec("29970")};
  CHECK(execution_mismatches(sell, filled("q1", "sell", "2", "29970")).empty());
}

TEST_CASE("service: every difference in the execute answer is reported with the facts") {
  const ExpectedExecution buy{"q1", Side::Buy, dec("0.1"), dec("16.016")};
  // The case: executed at 30030 against a quote of 16.
  const auto m = execution_mismatches(buy, filled("q1", "buy", "0.1", "30030"));
  REQUIRE(m.size() == 1);
  CHECK(m[0].field == "price_executed");
  CHECK(m[0].expected == "<= 16.016");
  CHECK(m[0].got == "30030");
  CHECK(fields(execution_mismatches(buy, filled("q2", "sell", "1", "16.017"))) ==
        std::vector<std::string>{"fx_quote_id", "side_executed", "quantity", "price_executed"});
  const auto missing = execution_mismatches(buy, filled("q1", "", nullptr, nullptr));
  CHECK(fields(missing) == std::vector<std::string>{"side_executed", "quantity", "price_executed"});
  CHECK(missing[0].got == "(missing)");
  const ExpectedExecution sell{"q1", Side::Sell, dec("1"), dec("29970")};
  CHECK(fields(execution_mismatches(sell, filled("q1", "sell", "1", "29969.99"))) ==
        std::vector<std::string>{"price_executed"});
  CHECK(fields(execution_mismatches(sell, filled("q1", "sell", "1", "0"))) ==
        std::vector<std::string>{"price_executed"});
}
