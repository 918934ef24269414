#include "falcon_xecutor/falconx/outcome_follow_up.h"

#include <catch2/catch.hpp>

using namespace xecutor;
using namespace std::chrono;

namespace {

Decimal dec(std::string_view text) {
  return std::get<Decimal>(Decimal::parse(text));
}

const auto kExpiry = system_clock::time_point(seconds(1'700'000'000));
const std::string kId = "0123456789abcdef0123456789abcdef";

PendingExecute pending() {
  return {"alert-1", {kId, Side::Buy, dec("0.1"), dec("30030")}, kExpiry};
}

FalconxResponse answered(long status, const std::string& body) {
  FalconxResponse r;
  r.transport = FalconxResponse::Transport::Answered;
  r.status = status;
  r.body = body;
  return r;
}

std::string quote_body(bool filled, const std::string& price = "30000") {
  return R"({"status":"success","fx_quote_id":")" + kId + R"(","is_filled":)" +
         (filled ? "true" : "false") + R"(,"side_executed":)" + (filled ? R"("buy")" : "null") +
         R"(,"price_executed":)" + (filled ? price : "null") +
         R"(,"quantity_requested":{"token":"BTC","value":"0.10000"},)"
         R"("t_expiry":"2023-11-14T22:13:20+00:00"})";
}

}  // namespace

TEST_CASE("service: a follow-up answer that says filled resolves the outcome (and checks it)") {
  const auto filled = resolve_outcome(pending(), answered(200, quote_body(true)), kExpiry, 2s);
  REQUIRE(filled);
  CHECK((*filled)["status"] == "filled");
  CHECK((*filled)["price_executed"] == "30000");
  const auto wrong =
      resolve_outcome(pending(), answered(200, quote_body(true, "31000")), kExpiry, 2s);
  REQUIRE(wrong);
  CHECK((*wrong)["status"] == "mismatch");
  CHECK((*wrong)["mismatches"][0]["field"] == "price_executed");
}

TEST_CASE("service: an unfilled quote is 'not_filled' only once it can no longer fill") {
  CHECK_FALSE(resolve_outcome(pending(), answered(200, quote_body(false)), kExpiry, 2s));
  CHECK_FALSE(resolve_outcome(pending(), answered(200, quote_body(false)), kExpiry + 2s, 2s));
  const auto late = resolve_outcome(pending(), answered(200, quote_body(false)), kExpiry + 3s, 2s);
  REQUIRE(late);
  CHECK((*late)["status"] == "not_filled");
}

TEST_CASE("service: errors, timeouts and other quotes leave the outcome unknown") {
  CHECK_FALSE(resolve_outcome(pending(), answered(500, "{}"), kExpiry + 1h, 2s));
  CHECK_FALSE(resolve_outcome(pending(), answered(404, "{}"), kExpiry + 1h, 2s));
  CHECK_FALSE(resolve_outcome(pending(), answered(200, "garbage"), kExpiry + 1h, 2s));
  FalconxResponse timeout;
  timeout.transport = FalconxResponse::Transport::Timeout;
  CHECK_FALSE(resolve_outcome(pending(), timeout, kExpiry + 1h, 2s));
  PendingExecute other = pending();
  other.expected.fx_quote_id = "ffffffffffffffffffffffffffffffff";
  CHECK_FALSE(resolve_outcome(other, answered(200, quote_body(true)), kExpiry, 2s));
}

TEST_CASE("service: the order book merges updates and keeps the most recent orders") {
  OrderBook book;
  book.record("a", {{"status", "execute_unknown"}, {"fx_quote_id", "q"}});
  book.record("a", {{"status", "filled"}});
  const auto a = book.find("a");
  REQUIRE(a);
  CHECK((*a)["status"] == "filled");
  CHECK((*a)["fx_quote_id"] == "q");
  CHECK_FALSE(book.find("b"));
  for (std::size_t i = 0; i < OrderBook::kMaxOrders; ++i) book.record(std::to_string(i), {});
  CHECK_FALSE(book.find("a"));  // the oldest went first
  CHECK(book.find(std::to_string(OrderBook::kMaxOrders - 1)));
}
