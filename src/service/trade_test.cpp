// The money path in-process: a Trade against a scripted FalconX port, an
// in-memory claim store and fake clocks. Every outcome a trade can end with
// (README "Endpoints", and the delivery table of README "Delivery"): its HTTP
// status and word, whether the dedup reservation, the claim and the daily
// notional hold are kept or released, and what was sent to FalconX.
#include "trade.h"

#include <catch2/catch.hpp>
#include <map>

#include "config.h"
#include "fake_falconx_port.h"
#include "falcon_xecutor/webhook/iso_time.h"

using namespace xecutor;
using namespace std::chrono_literals;
using nlohmann::json;
using xd::testing::FakeFalconx;
using xd::testing::falconx_answers;
using xd::testing::falconx_execution;
using xd::testing::falconx_quote;
using xd::testing::falconx_silent;
using Transport = FalconxResponse::Transport;

namespace {

const auto kNow = *parse_iso8601("2026-05-01T12:00:00Z");  // the trades' wall clock
const std::string kExpiry = "2026-05-01T12:00:10Z";        // quotes live 10 s
const std::string kIdentity = "xo-0123456789abcdef0123456789abcdef";

Decimal dec(const char* text) {
  return std::get<Decimal>(Decimal::parse(text));
}

// ClaimStore in memory; keys under `failing_prefix` fail as a store that cannot answer.
class MemoryStore final : public ClaimStore {
 public:
  std::string failing_prefix = "-";
  std::function<void(const std::string& key)> on_access;

  StoreWrite create(const std::string& key, const std::string& content) override {
    if (fails(key)) return {StoreWrite::Outcome::Failed, "store down"};
    if (data_.count(key) != 0) return {StoreWrite::Outcome::Conflict, ""};
    data_[key] = {content, 1};
    return {StoreWrite::Outcome::Written, ""};
  }
  StoreRead read(const std::string& key) override {
    if (fails(key)) return {StoreRead::Outcome::Failed, "", "", "store down"};
    const auto it = data_.find(key);
    if (it == data_.end()) return {StoreRead::Outcome::Absent, "", "", ""};
    return {StoreRead::Outcome::Found, it->second.first, std::to_string(it->second.second), ""};
  }
  StoreWrite replace(const std::string& key, const std::string& content,
                     const std::string& version) override {
    if (fails(key)) return {StoreWrite::Outcome::Failed, "store down"};
    auto it = data_.find(key);
    if (it == data_.end() || std::to_string(it->second.second) != version)
      return {StoreWrite::Outcome::Conflict, ""};
    it->second = {content, it->second.second + 1};
    return {StoreWrite::Outcome::Written, ""};
  }
  std::string describe() const override { return "memory:"; }

  std::optional<json> find(const std::string& key) const {
    const auto it = data_.find(key);
    if (it == data_.end()) return std::nullopt;
    return json::parse(it->second.first);
  }

 private:
  bool fails(const std::string& key) {
    if (on_access) on_access(key);
    return key.rfind(failing_prefix, 0) == 0;
  }
  std::map<std::string, std::pair<std::string, int>> data_;  // content, version
};

// One trade's surroundings: BUY 0.1 BTC at 30000 USD expected (limit 30030 at
// 10 bps), FalconX scripted, the claim store in memory, the clocks still
// unless a test moves them.
struct TradeWorld {
  ServiceConfig config;
  FakeFalconx falconx;
  Metrics metrics;
  OrderBook orders;
  MemoryStore store;
  std::optional<DailyNotionalLedger> ledger;
  WallClock now = [] { return kNow; };
  std::chrono::steady_clock::time_point steady{};
  // When the alert's connection was accepted (the deadline counts from there); unset: now.
  std::optional<std::chrono::steady_clock::time_point> accepted_at;
  DedupWindow dedup{60s, [this] { return steady; }};
  Order order{Side::Buy, dec("0.1"), "BTC", dec("30000"), "USD"};

  // `daily_cap`: XECUTOR_MAX_DAILY_NOTIONAL, none when null.
  explicit TradeWorld(bool live, const char* daily_cap = nullptr) {
    config.execute = live;
    config.slot = "blue";
    if (daily_cap != nullptr) ledger.emplace(store, dec(daily_cap));
  }
  void quote_at(const json& buy_price, const std::string& expiry = kExpiry) {
    falconx.quote_answers.push_back(
        falconx_answers(200, falconx_quote(buy_price, "29990", expiry)));
  }
  void fill_at(const json& price, const std::string& side = "buy") {
    falconx.execute_answer = falconx_answers(
        200, falconx_execution(falconx_quote("30010", "29990", kExpiry), true, side, price));
  }

  WebhookReply run() {
    REQUIRE(dedup.reserve(kIdentity));
    Reservation reservation(dedup, kIdentity);
    const TradeParts parts{
        config, falconx, metrics, orders, now, &store, ledger ? &*ledger : nullptr};
    return Trade(parts, order, kIdentity, reservation,
                 Deadline(accepted_at.value_or(steady), config.alert_deadline,
                          config.falconx_timeout, [this] { return steady; }))
        .run();
  }

  // After the trade: would a resend of the alert be refused as a duplicate?
  bool reservation_kept() {
    if (!dedup.reserve(kIdentity)) return true;
    dedup.release(kIdentity);
    return false;
  }
  bool claimed() const { return store.find("claims/" + kIdentity).has_value(); }
  // The claim was marked released (the execute never left): a resend may take it.
  bool claim_released() const {
    const auto claim = store.find("claims/" + kIdentity);
    return claim && claim->value("released", false);
  }
  // The day's notional total in the store ("0" before any hold).
  std::string day_total() const {
    const auto day = store.find(daily_notional_key(utc_day(kNow), "USD"));
    return day ? day->at("total").get<std::string>() : "0";
  }
};

// The answer's status and word (also its JSON outcome, and code for a refusal); its body.
json answer_of(const WebhookReply& r, int status, const std::string& word) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.outcome == word);
  json j = json::parse(r.body);
  CHECK(j["outcome"] == word);
  if (status != 200) CHECK(j["code"] == word);
  return j;
}

using Calls = std::vector<std::string>;

// One way FalconX answers, and what the trade should make of it.
struct AnswerCase {
  const char* name;
  FalconxResponse answer;
  const char* expected = "";  // an outcome word, or the start of the error
};

}  // namespace

TEST_CASE("trade: paper mode quotes once, never executes, and keeps the alert for the window") {
  TradeWorld w(/*live=*/false);
  w.quote_at("30010");
  const WebhookReply r = w.run();
  CHECK(r.quote_id == "fxq-1");
  const json b = answer_of(r, 200, "quoted");
  CHECK(b["quoted_price"] == "30010");
  CHECK(b["price_limit"] == "30030");
  CHECK(b["executed"] == false);
  CHECK(b["falconx_api"] == "v3");
  REQUIRE(w.falconx.calls() == Calls{"quote v3"});
  CHECK(w.falconx.sent[0].body == json::parse(R"({"token_pair":{"base_token":"BTC",
        "quote_token":"USD"},"quantity":{"token":"BTC","value":"0.1"},"side":"buy",
        "client_order_id":"xo-0123456789abcdef0123456789abcdef"})"));
  CHECK(w.falconx.sent[0].timeout == 2500ms);
  CHECK(w.reservation_kept());
  CHECK_FALSE(w.claimed());
}

TEST_CASE("trade: live, filled and verified: executed, claimed, the notional counted") {
  TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
  w.quote_at("30010");
  w.fill_at("30010");
  const json b = answer_of(w.run(), 200, "executed");
  CHECK(b["executed"] == true);
  CHECK(b["price_executed"] == "30010");
  CHECK(b["side_executed"] == "buy");
  CHECK(b["notional"] == "3001");
  REQUIRE(w.falconx.calls() == Calls{"quote v3", "execute v3"});
  CHECK(w.falconx.sent[1].body == json{{"fx_quote_id", "fxq-1"}, {"side", "buy"}});
  CHECK(w.falconx.follow_ups.empty());
  CHECK(w.reservation_kept());
  REQUIRE(w.claimed());
  const json claim = *w.store.find("claims/" + kIdentity);
  CHECK(claim["slot"] == "blue");
  CHECK(claim["fx_quote_id"] == "fxq-1");
  CHECK(w.day_total() == "3001");
  REQUIRE(w.orders.find(kIdentity));
  CHECK((*w.orders.find(kIdentity))["status"] == "executed");
}

TEST_CASE("trade: a FalconX without v3 quotes and executes on v1") {
  TradeWorld w(/*live=*/true);
  w.falconx.quote_answers.push_back(falconx_answers(404, {{"message", "not found"}}));
  w.quote_at("30010");
  w.fill_at("30010");
  CHECK(answer_of(w.run(), 200, "executed")["falconx_api"] == "v1");
  CHECK(w.falconx.calls() == Calls{"quote v3", "quote v1", "execute v1"});
}

TEST_CASE("trade: a failed or unreadable quote is falconx_error, nothing held, the alert free") {
  const std::vector<AnswerCase> cases{
      {"HTTP 503", falconx_answers(503, {{"message", "maintenance"}}),
       "quote failed: FalconX HTTP 503: maintenance"},
      {"unreachable", falconx_silent(Transport::NotSent), "quote failed: FalconX unreachable"},
      {"timed out", falconx_silent(Transport::Timeout), "quote failed: FalconX timed out"},
      {"a price that is not a plain decimal",
       falconx_answers(200, falconx_quote("0x1p4", "29990", kExpiry)), "quote failed: FalconX"},
      {"no buy price", falconx_answers(200, falconx_quote(nullptr, "29990", kExpiry)),
       "quote has no buy_price"},
      {"no valid t_expiry", falconx_answers(200, falconx_quote("30010", "29990", "soon")),
       "quote has no valid t_expiry"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
    w.falconx.quote_answers.push_back(c.answer);
    const json b = answer_of(w.run(), 502, "falconx_error");
    CHECK_THAT(b["error"].get<std::string>(), Catch::StartsWith(c.expected));
    CHECK(w.falconx.calls() == Calls{"quote v3"});
    CHECK_FALSE(w.reservation_kept());
    CHECK_FALSE(w.claimed());
    CHECK(w.day_total() == "0");
  }
}

TEST_CASE("trade: quotes beyond the limits are refused 422 before anything is held") {
  struct Case {
    const char* name;
    const char* buy_price;
    std::string expiry;
    const char* max_order_notional;
    const char* outcome;
  };
  const std::vector<Case> cases{
      {"one unit past the 10 bps limit", "30030.000000000001", kExpiry, "10000",
       "price_out_of_tolerance"},
      {"far below: outside the sanity band", "16", kExpiry, "10000", "price_deviation"},
      {"notional at the quoted price over the cap", "30010", kExpiry, "3000",
       "order_notional_exceeded"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
    w.config.max_order_notional = dec(c.max_order_notional);
    w.quote_at(c.buy_price, c.expiry);
    const json b = answer_of(w.run(), 422, c.outcome);
    CHECK(b["executed"] == false);
    CHECK(w.falconx.calls() == Calls{"quote v3"});
    CHECK_FALSE(w.reservation_kept());
    CHECK_FALSE(w.claimed());
    CHECK(w.day_total() == "0");
  }
}

TEST_CASE("trade: a quote about to expire is 503 quote_expired: the resend gets a fresh one") {
  TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
  w.quote_at("30010", "2026-05-01T12:00:00.299Z");  // within the 300 ms margin
  const json b = answer_of(w.run(), 503, "quote_expired");
  CHECK_THAT(b["error"].get<std::string>(), Catch::Contains("XECUTOR_EXPIRY_MARGIN"));
  CHECK(b["executed"] == false);
  CHECK(w.falconx.calls() == Calls{"quote v3"});
  CHECK_FALSE(w.reservation_kept());
  CHECK_FALSE(w.claimed());
  CHECK(w.day_total() == "0");
}

TEST_CASE("trade: live, the quote may not use the execute's window (XECUTOR_MIN_EXECUTE_TIME)") {
  SECTION("the quote's timeout is the deadline minus the execute's window") {
    TradeWorld w(/*live=*/true);
    w.quote_at("30010");
    w.fill_at("30010");
    CHECK(w.run().outcome == "executed");
    CHECK(w.falconx.sent[0].timeout == 2000ms);  // 2500 ms deadline - 500 ms kept
    CHECK(w.falconx.sent[1].timeout == 2500ms);
  }
  SECTION("a quote that timed out in live mode says what the window kept") {
    TradeWorld w(/*live=*/true);
    w.falconx.quote_answers.push_back(falconx_silent(Transport::Timeout));
    const json b = answer_of(w.run(), 502, "falconx_error");
    CHECK_THAT(b["error"].get<std::string>(),
               Catch::StartsWith("quote failed: FalconX timed out") &&
                   Catch::Contains("XECUTOR_MIN_EXECUTE_TIME=500 ms") &&
                   Catch::Contains("nothing executed"));
    CHECK_FALSE(w.reservation_kept());
  }
  SECTION("paper mode keeps nothing back: the quote may use the whole deadline") {
    TradeWorld w(/*live=*/false);
    w.quote_at("30010");
    CHECK(w.run().outcome == "quoted");
    CHECK(w.falconx.sent[0].timeout == 2500ms);
  }
  SECTION("the deadline counts from when the connection was accepted") {
    TradeWorld w(/*live=*/true);
    w.accepted_at = w.steady - 2100ms;  // waited 2.1 s in the queue: 400 ms left
    const json b = answer_of(w.run(), 504, "deadline_exceeded");
    CHECK_THAT(b["error"].get<std::string>(), Catch::Contains("before the quote"));
    CHECK(w.falconx.sent.empty());
  }
}

TEST_CASE("trade: the alert deadline ends the trade 504 before a call it cannot cover") {
  SECTION("spent before the quote: nothing is sent") {
    TradeWorld w(/*live=*/true);
    w.config.alert_deadline = 0ms;
    const json b = answer_of(w.run(), 504, "deadline_exceeded");
    CHECK_THAT(b["error"].get<std::string>(), Catch::Contains("before the quote"));
    CHECK(w.falconx.sent.empty());
    CHECK_FALSE(w.reservation_kept());
  }
  SECTION("spent by the quote: no execute, no claim") {
    TradeWorld w(/*live=*/true);
    w.quote_at("30010");
    w.falconx.during_call = [&w] { w.steady += 2600ms; };
    const json b = answer_of(w.run(), 504, "deadline_exceeded");
    CHECK_THAT(b["error"].get<std::string>(), Catch::Contains("before the execute"));
    CHECK(w.falconx.calls() == Calls{"quote v3"});
    CHECK_FALSE(w.reservation_kept());
    CHECK_FALSE(w.claimed());
  }
  SECTION("spent by the daily ledger: the hold is given back, the alert stays unclaimed") {
    TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
    w.quote_at("30010");
    w.store.on_access = [&w](const std::string& key) {
      if (key.rfind("daily-notional/", 0) == 0) w.steady += 1300ms;
    };
    answer_of(w.run(), 504, "deadline_exceeded");
    CHECK(w.falconx.calls() == Calls{"quote v3"});
    CHECK_FALSE(w.claimed());
    CHECK(w.day_total() == "0");
    CHECK_FALSE(w.reservation_kept());
  }
  SECTION("each call gets what is left, capped per call") {
    TradeWorld w(/*live=*/true);
    w.config.falconx_timeout = 1000ms;
    w.quote_at("30010");
    w.fill_at("30010");
    w.falconx.during_call = [&w] { w.steady += 2000ms; };
    w.config.alert_deadline = 2400ms;
    w.config.min_execute_time = 300ms;  // the 400 ms left after the quote may carry the execute
    CHECK(w.run().outcome == "executed");
    CHECK(w.falconx.sent[0].timeout == 1000ms);
    CHECK(w.falconx.sent[1].timeout == 400ms);
  }
}

TEST_CASE(
    "trade: no time left after the claim: nothing sent, the claim given back, a resend trades") {
  TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
  w.quote_at("30010");
  w.store.on_access = [&w](const std::string& key) {
    if (key.rfind("claims/", 0) == 0 && !w.claimed()) w.steady += 2100ms;  // a slow claim write
  };
  const json b = answer_of(w.run(), 504, "deadline_exceeded");
  CHECK_THAT(b["error"].get<std::string>(),
             Catch::Contains("before the execute") && Catch::Contains("XECUTOR_MIN_EXECUTE_TIME"));
  CHECK(w.falconx.calls() == Calls{"quote v3"});
  REQUIRE(w.claim_released());
  CHECK(w.store.find("claims/" + kIdentity)->at("reason") == "deadline");
  CHECK(w.day_total() == "0");
  CHECK_FALSE(w.reservation_kept());

  // TradingView's resend (same identity) takes the released claim over and trades.
  w.store.on_access = nullptr;
  w.quote_at("30010");
  w.fill_at("30010");
  answer_of(w.run(), 200, "executed");
  CHECK(w.claimed());
  CHECK_FALSE(w.claim_released());
  CHECK(w.day_total() == "3001");
}

TEST_CASE(
    "trade: the daily cap refuses 422 and a ledger that cannot answer 503, before the claim") {
  SECTION("over the cap") {
    TradeWorld w(/*live=*/true, /*daily_cap=*/"3000");
    w.quote_at("30010");
    const json b = answer_of(w.run(), 422, "daily_notional_limit");
    CHECK(b["notional"] == "3001");
    CHECK(b["max_daily_notional"] == "3000");
    CHECK(w.day_total() == "0");
    CHECK_FALSE(w.claimed());
    CHECK(w.falconx.calls() == Calls{"quote v3"});
    CHECK_FALSE(w.reservation_kept());
  }
  SECTION("ledger unavailable") {
    TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
    w.store.failing_prefix = "daily-notional/";
    w.quote_at("30010");
    answer_of(w.run(), 503, "ledger_unavailable");
    CHECK_FALSE(w.claimed());
    CHECK(w.falconx.calls() == Calls{"quote v3"});
    CHECK_FALSE(w.reservation_kept());
  }
}

TEST_CASE("trade: no claim, no execute: claimed elsewhere 409, store down 503, hold given back") {
  SECTION("already claimed (another slot, an earlier run): the alert never trades again here") {
    TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
    REQUIRE(w.store.create("claims/" + kIdentity, "{}").outcome == StoreWrite::Outcome::Written);
    w.quote_at("30010");
    answer_of(w.run(), 409, "already_claimed");
    CHECK(w.falconx.calls() == Calls{"quote v3"});
    CHECK(w.day_total() == "0");
    CHECK(w.reservation_kept());
  }
  SECTION("the claim store cannot answer: retryable") {
    TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
    w.store.failing_prefix = "claims/";
    w.quote_at("30010");
    answer_of(w.run(), 503, "claim_unavailable");
    CHECK(w.falconx.calls() == Calls{"quote v3"});
    CHECK(w.day_total() == "0");
    CHECK_FALSE(w.reservation_kept());
  }
}

TEST_CASE(
    "trade: an execute that never left this host is 502 falconx_error, claim and hold given back") {
  TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
  w.quote_at("30010");
  w.falconx.execute_answer = falconx_silent(Transport::NotSent);
  const json b = answer_of(w.run(), 502, "falconx_error");
  CHECK_THAT(b["error"].get<std::string>(), Catch::StartsWith("execute not sent"));
  CHECK(b["executed"] == false);
  CHECK(w.falconx.calls() == Calls{"quote v3", "execute v3"});
  REQUIRE(w.claim_released());  // README "Claims follow the truth"
  CHECK(w.store.find("claims/" + kIdentity)->at("reason") == "execute_not_sent");
  CHECK(w.day_total() == "0");
  CHECK_FALSE(w.reservation_kept());
  CHECK(w.falconx.follow_ups.empty());

  // The resend trades with a fresh quote.
  w.quote_at("30010");
  w.fill_at("30010");
  answer_of(w.run(), 200, "executed");
  CHECK(w.falconx.calls() == Calls{"quote v3", "execute v3", "quote v3", "execute v3"});
  CHECK_FALSE(w.claim_released());
}

TEST_CASE("trade: FalconX answered the execute with no fill: 422, hold given back, alert kept") {
  const std::vector<AnswerCase> cases{
      {"refused (4xx)", falconx_answers(400, {{"message", "insufficient balance"}}),
       "execute_rejected"},
      {"not filled",
       falconx_answers(
           200, falconx_execution(falconx_quote("30010", "29990", kExpiry), false, "", nullptr)),
       "execute_not_filled"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
    w.quote_at("30010");
    w.falconx.execute_answer = c.answer;
    const json b = answer_of(w.run(), 422, c.expected);
    CHECK(b["executed"] == false);
    CHECK(w.falconx.calls() == Calls{"quote v3", "execute v3"});
    CHECK(w.claimed());
    CHECK(w.day_total() == "0");
    CHECK(w.reservation_kept());
    REQUIRE(w.orders.find(kIdentity));
    CHECK((*w.orders.find(kIdentity))["status"] == c.expected);
  }
}

TEST_CASE("trade: a fill that differs from the order is 202 execute_mismatch, still counted") {
  TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
  w.quote_at("30010");
  w.fill_at("30031");  // past the 30030 limit the quote was accepted under
  const json b = answer_of(w.run(), 202, "execute_mismatch");
  CHECK(b["executed"] == true);
  REQUIRE(b["mismatches"].size() == 1);
  CHECK(b["mismatches"][0]["field"] == "price_executed");
  CHECK(w.falconx.calls() == Calls{"quote v3", "execute v3"});
  CHECK(w.claimed());
  CHECK(w.day_total() == "3001");
  CHECK(w.reservation_kept());
  CHECK((*w.orders.find(kIdentity))["status"] == "execute_mismatch");
}

TEST_CASE(
    "trade: an execute without an answer is 202 execute_unknown, followed up, never retried") {
  const std::vector<AnswerCase> cases{
      {"timed out", falconx_silent(Transport::Timeout)},
      {"connection broke", falconx_silent(Transport::Failed)},
      {"HTTP 500", falconx_answers(500, {{"message", "internal"}})},
      {"an unreadable 200", falconx_answers(200, {{"status", "success"}})},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    TradeWorld w(/*live=*/true, /*daily_cap=*/"10000");
    w.quote_at("30010");
    w.falconx.execute_answer = c.answer;
    const json b = answer_of(w.run(), 202, "execute_unknown");
    CHECK(b["executed"].is_null());
    CHECK(w.falconx.calls() == Calls{"quote v3", "execute v3"});
    REQUIRE(w.falconx.follow_ups.size() == 1);
    const PendingExecute& p = w.falconx.follow_ups[0];
    CHECK(p.identity == kIdentity);
    CHECK(p.expected.fx_quote_id == "fxq-1");
    CHECK(p.expected.side == Side::Buy);
    CHECK(p.expected.amount == dec("0.1"));
    CHECK(p.expected.limit == dec("30030"));
    CHECK(p.t_expiry == parse_iso8601(kExpiry));
    CHECK(w.claimed());
    CHECK(w.day_total() == "3001");
    CHECK(w.reservation_kept());
    CHECK((*w.orders.find(kIdentity))["status"] == "execute_unknown");
  }
}

TEST_CASE("outcomes: the words lower layers refuse with have the status those layers give") {
  const Order btc_eur{Side::Buy, dec("0.1"), "BTC", dec("30000"), "EUR"};
  const auto pair = pair_refusal(btc_eur, {"BTC/USD"});
  REQUIRE(pair);
  CHECK(outcome_row(outcome_named(pair->code)).status == pair->status);
  const auto notional = notional_refusal(dec("1"), dec("2"), dec("1"), "expected");
  REQUIRE(notional);
  CHECK(outcome_row(outcome_named(notional->code)).status == notional->status);
  CHECK_THROWS_AS(outcome_named("no_such_outcome"), std::logic_error);
}
