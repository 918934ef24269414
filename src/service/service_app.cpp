#include "service/service_app.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "service/alert_freshness.h"
#include "service/alert_header.h"
#include "service/alert_identity.h"
#include "service/falconx_quote.h"
#include "service/order.h"
#include "service/request_auth.h"
#include "service/structured_log.h"
#include "service/tolerance.h"
#include "service/webhook_body.h"

namespace xecutor {
namespace {

using nlohmann::ordered_json;
using Transport = FalconxResponse::Transport;

WebhookReply reply(int status, std::string outcome, ordered_json body) {
  WebhookReply r;
  r.status = status;
  body["outcome"] = outcome;
  r.outcome = std::move(outcome);
  if (const auto id = body.find("fx_quote_id"); id != body.end() && id->is_string())
    r.quote_id = *id;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

WebhookReply error(int status, std::string outcome, const std::string& message) {
  return reply(status, std::move(outcome), ordered_json{{"error", message}});
}

// The alert identity goes to FalconX as client_order_id, so a trade can be
// found there by the same key the claims use.
std::string quote_request_body(const Order& o, const std::string& identity) {
  ordered_json j;
  j["token_pair"] = {{"base_token", o.base}, {"quote_token", o.quote}};
  j["quantity"] = {{"token", o.base}, {"value", o.amount}};
  j["side"] = side_lower(o.side);
  j["client_order_id"] = identity;
  return j.dump();
}

std::string transport_words(const FalconxResponse& r) {
  switch (r.transport) {
    case Transport::NotSent:
      return "FalconX unreachable: " + r.error;
    case Transport::Timeout:
      return "FalconX timed out: " + r.error;
    case Transport::Failed:
      return "FalconX connection failed: " + r.error;
    case Transport::Answered:
      break;
  }
  return "FalconX HTTP " + std::to_string(r.status) + ": " + falconx_error_message(r.body);
}

// Releases the dedup reservation unless told the request went far enough to keep it.
class Reservation {
 public:
  Reservation(DedupWindow& window, std::string key) : window_(window), key_(std::move(key)) {}
  ~Reservation() {
    if (!keep_) window_.release(key_);
  }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  void keep() { keep_ = true; }

 private:
  DedupWindow& window_;
  std::string key_;
  bool keep_ = false;
};

struct TradeSettings {
  const FalconxClient& falconx;
  bool execute;
  double tolerance;
  const ServiceApp::WallClock& now;
  ClaimStore* claims;           // required in live mode (config refuses orders without)
  DailyNotionalLedger* ledger;  // null: no daily cap
  const std::string& slot;
  const std::string& identity;
};

struct Alert {
  AlertHeader header;
  Order order;
};

// The header lines (id:, time:) and the order, or the first bad line.
std::variant<Alert, OrderError> parse_alert(const std::vector<BodyLine>& lines) {
  const auto header = take_alert_header(lines);
  if (const auto* bad = std::get_if<OrderError>(&header)) return *bad;
  const auto& parts = std::get<AlertHeaderParse>(header);
  const OrderParse order = parse_order(parts.order_lines);
  if (const auto* bad = std::get_if<OrderError>(&order)) return *bad;
  return Alert{parts.header, std::get<Order>(order)};
}

WebhookReply fail(int status, std::string outcome, ordered_json info, const std::string& message) {
  info["error"] = message;
  return reply(status, std::move(outcome), std::move(info));
}

// An execute that may have reached FalconX but whose answer we do not have.
// Never retried: a second execute could double the trade.
WebhookReply execute_unknown(ordered_json info, const std::string& why) {
  const std::string id = info["fx_quote_id"];
  log_event(spdlog::level::critical,
            {{"event", "execute_outcome_unknown"},
             {"fx_quote_id", id},
             {"reason", why},
             {"action", "check FalconX for this quote before anything else; not retried"}});
  info["executed"] = nullptr;
  return fail(502, "execute_unknown", std::move(info),
              "execute outcome UNKNOWN (" + why + "); not retried, check FalconX for quote " + id);
}

// The day's notional this trade would add: amount x quoted price, rounded up.
std::optional<Decimal> trade_notional(const Order& order, double price) {
  const auto amount = Decimal::parse(order.amount);
  const auto quoted = Decimal::parse(fmt::format("{:.12f}", price));
  if (!std::holds_alternative<Decimal>(amount) || !std::holds_alternative<Decimal>(quoted))
    return std::nullopt;
  return std::get<Decimal>(amount).times(std::get<Decimal>(quoted), Rounding::Up);
}

struct NotionalHold {
  std::string day;
  std::string quote;
  Decimal notional;
};

// Live only, with XECUTOR_MAX_DAILY_NOTIONAL: adds this trade to the day's
// shared total, or refuses it. The hold is given back if the trade certainly
// did not happen (see release_notional).
std::variant<NotionalHold, WebhookReply> hold_daily_notional(const TradeSettings& s,
                                                             const Order& order, double price,
                                                             ordered_json& info) {
  const auto notional = trade_notional(order, price);
  if (!notional)
    return fail(502, "falconx_error", info, "cannot compute the notional of this trade exactly");
  NotionalHold hold{utc_day(s.now()), order.quote, *notional};
  const LedgerResult r = s.ledger->reserve(hold.day, hold.quote, hold.notional);
  info["notional"] = notional->to_string();
  info["daily_notional_before"] = r.total_before.to_string();
  info["max_daily_notional"] = s.ledger->limit().to_string();
  switch (r.verdict) {
    case LedgerResult::Verdict::Reserved:
      return hold;
    case LedgerResult::Verdict::LimitReached:
      return fail(422, "daily_notional_limit", info,
                  fmt::format("{} {} today plus this trade's {} would pass "
                              "XECUTOR_MAX_DAILY_NOTIONAL={}: not executed",
                              r.total_before.to_string(), hold.quote, notional->to_string(),
                              s.ledger->limit().to_string()));
    case LedgerResult::Verdict::Failed:
      break;
  }
  log_event(spdlog::level::err, {{"event", "ledger_unavailable"}, {"error", r.error}});
  return fail(503, "ledger_unavailable", info,
              "daily notional ledger unavailable, nothing executed: " + r.error);
}

void release_notional(const TradeSettings& s, const NotionalHold& hold) {
  const LedgerResult r = s.ledger->release(hold.day, hold.quote, hold.notional);
  if (r.verdict != LedgerResult::Verdict::Reserved)
    log_event(spdlog::level::err, {{"event", "ledger_release_failed"},
                                   {"day", hold.day},
                                   {"quote", hold.quote},
                                   {"notional", hold.notional.to_string()},
                                   {"error", r.error},
                                   {"effect", "the day's total over-counts this amount"}});
}

// Live only: the claim on the alert identity in the shared store. Whoever
// writes it first (this process, the other slot, a previous run) executes;
// everyone else is refused. A store that cannot answer means no execute.
std::optional<WebhookReply> claim_identity(const TradeSettings& s, const Order& order,
                                           ordered_json& info, Reservation& reservation) {
  const ordered_json record{
      {"identity", s.identity},
      {"slot", s.slot},
      {"fx_quote_id", info["fx_quote_id"]},
      {"order", canonical_order_text(order)},
      {"claimed_at_unix_ms",
       std::chrono::duration_cast<std::chrono::milliseconds>(s.now().time_since_epoch()).count()}};
  const StoreWrite w = s.claims->create("claims/" + s.identity, record.dump());
  switch (w.outcome) {
    case StoreWrite::Outcome::Written:
      return std::nullopt;
    case StoreWrite::Outcome::Conflict:
      reservation.keep();  // claimed for good: this alert never trades again
      return fail(409, "already_claimed", info,
                  "alert " + s.identity +
                      " was already claimed (executed, or executing, on some slot): not executed");
    case StoreWrite::Outcome::Failed:
      break;
  }
  log_event(spdlog::level::err,
            {{"event", "claim_unavailable"}, {"identity", s.identity}, {"error", w.error}});
  return fail(503, "claim_unavailable", info,
              "claim store unavailable, nothing executed (never without a claim): " + w.error);
}

// After hold + claim: the execute, and the notional given back when FalconX
// certainly did not fill (sent nowhere, refused, answered not filled).
WebhookReply claim_and_execute(const TradeSettings& s, const std::string& api, const Order& order,
                               double price, ordered_json info, Reservation& reservation);

WebhookReply execute(const TradeSettings& s, const std::string& api, const Order& order,
                     ordered_json info, Reservation& reservation) {
  const std::string id = info["fx_quote_id"];
  const std::string body =
      ordered_json{{"fx_quote_id", id}, {"side", side_lower(order.side)}}.dump();
  log_event(spdlog::level::warn, {{"event", "execute_sent"},
                                  {"fx_quote_id", id},
                                  {"side", side_lower(order.side)},
                                  {"amount", order.amount},
                                  {"base", order.base},
                                  {"quote", order.quote}});
  const FalconxResponse e = s.falconx.post("/" + api + "/quotes/execute", body);
  if (e.transport == Transport::NotSent) {
    info["executed"] = false;
    return fail(502, "falconx_error", std::move(info),
                "execute not sent, nothing executed: " + transport_words(e));
  }
  reservation.keep();  // FalconX may have seen it: a duplicate must not trade again
  if (e.transport != Transport::Answered || e.status >= 500)
    return execute_unknown(std::move(info), transport_words(e));
  if (e.status != 200) {
    info["executed"] = false;
    return fail(502, "execute_rejected", std::move(info), "execute refused: " + transport_words(e));
  }
  const QuoteParse parsed = parse_falconx_quote(e.body);
  if (const auto* why = std::get_if<std::string>(&parsed))
    return execute_unknown(std::move(info), *why);
  const auto& done = std::get<FalconxQuote>(parsed);
  if (!done.is_filled) {
    info["executed"] = false;
    return fail(502, "execute_not_filled", std::move(info),
                "FalconX answered the execute with is_filled=false");
  }
  info["executed"] = true;
  info["price_executed"] =
      done.price_executed ? ordered_json(*done.price_executed) : ordered_json(nullptr);
  info["side_executed"] = done.side_executed;
  log_event(
      spdlog::level::warn,
      {{"event", "executed"}, {"fx_quote_id", id}, {"price_executed", info["price_executed"]}});
  return reply(200, "executed", std::move(info));
}

WebhookReply trade(const TradeSettings& s, const Order& order, Reservation& reservation) {
  ordered_json info{{"mode", s.execute ? "live" : "paper"},
                    {"side", side_lower(order.side)},
                    {"amount", order.amount},
                    {"base", order.base},
                    {"quote", order.quote},
                    {"expected_price", order.expected_price}};
  info["client_order_id"] = s.identity;
  const std::string request = quote_request_body(order, s.identity);
  std::string api = "v3";
  FalconxResponse q = s.falconx.post("/v3/quotes", request);
  if (q.transport == Transport::Answered && q.status == 404) {  // an account or host without v3
    api = "v1";
    q = s.falconx.post("/v1/quotes", request);
  }
  info["falconx_api"] = api;
  if (q.transport != Transport::Answered || q.status != 200)
    return fail(502, "falconx_error", std::move(info), "quote failed: " + transport_words(q));
  const QuoteParse parsed = parse_falconx_quote(q.body);
  if (const auto* why = std::get_if<std::string>(&parsed))
    return fail(502, "falconx_error", std::move(info), "quote failed: " + *why);
  const auto& quote = std::get<FalconxQuote>(parsed);
  info["fx_quote_id"] = quote.fx_quote_id;
  info["t_expiry"] = quote.t_expiry_text;
  const auto price = order.side == Side::Buy ? quote.buy_price : quote.sell_price;
  if (!price)
    return fail(502, "falconx_error", std::move(info),
                "quote has no " + side_lower(order.side) + "_price");
  const PriceCheck check = check_price(order.side, *price, order.expected_price, s.tolerance);
  info["quoted_price"] = *price;
  info["price_limit"] = check.limit;
  info["executed"] = false;
  if (!check.acceptable) {
    const std::string why = "quoted " + side_lower(order.side) + " price " +
                            info["quoted_price"].dump() + " is beyond the limit " +
                            info["price_limit"].dump();
    return fail(422, "price_out_of_tolerance", std::move(info), why);
  }
  if (!quote.t_expiry)
    return fail(502, "falconx_error", std::move(info), "quote has no valid t_expiry");
  if (s.now() >= *quote.t_expiry)
    return fail(422, "quote_expired", std::move(info), "quote expired at " + quote.t_expiry_text);
  if (!s.execute) {
    reservation.keep();
    return reply(200, "quoted", std::move(info));
  }
  return claim_and_execute(s, api, order, *price, std::move(info), reservation);
}

WebhookReply claim_and_execute(const TradeSettings& s, const std::string& api, const Order& order,
                               double price, ordered_json info, Reservation& reservation) {
  std::optional<NotionalHold> hold;
  if (s.ledger != nullptr) {
    auto held = hold_daily_notional(s, order, price, info);
    if (auto* refused = std::get_if<WebhookReply>(&held)) return std::move(*refused);
    hold = std::get<NotionalHold>(held);
  }
  if (auto refused = claim_identity(s, order, info, reservation)) {
    if (hold) release_notional(s, *hold);
    return std::move(*refused);
  }
  WebhookReply r = execute(s, api, order, std::move(info), reservation);
  const bool certainly_not_filled = r.outcome == "execute_rejected" ||
                                    r.outcome == "execute_not_filled" ||
                                    r.outcome == "falconx_error";
  if (hold && certainly_not_filled) release_notional(s, *hold);
  return r;
}

}  // namespace

ServiceApp::ServiceApp(ServiceConfig config, WallClock wall_clock)
    : config_(std::move(config)),
      wall_clock_(std::move(wall_clock)),
      dedup_(config_.dedup_window, std::chrono::steady_clock::now),
      falconx_(config_.falconx, config_.falconx_base_url, config_.falconx_timeout),
      claims_(make_claim_store(config_.claim_store)) {
  if (claims_ && config_.max_daily_notional) ledger_.emplace(*claims_, *config_.max_daily_notional);
}

WebhookReply ServiceApp::handle(const WebhookRequest& request) {
  const WebhookBody body = split_webhook_body(request.body);
  const AddressPolicy policy{config_.allowed_ips, config_.trusted_proxies};
  const AuthDecision auth = decide_auth(policy, config_.webhook_secret,
                                        {request.peer, request.x_real_ip, request.x_forwarded_for,
                                         body.secret ? &*body.secret : nullptr});
  auto with_client = [&auth](WebhookReply r) {
    r.client = auth.client;
    return r;
  };
  if (auth.verdict == AuthVerdict::AddressRefused)
    return with_client(error(401, "address_refused", "address " + auth.client + " is not allowed"));
  if (config_.webhook_secret.empty())
    return with_client(
        error(503, "not_configured", "orders refused: XECUTOR_WEBHOOK_SECRET is not set"));
  if (auth.verdict == AuthVerdict::SecretMissing)
    return with_client(error(401, "bad_secret", "missing (or repeated) 'secret: ...' line"));
  if (auth.verdict != AuthVerdict::Allowed)
    return with_client(error(401, "bad_secret", "wrong secret"));

  const auto parsed = parse_alert(body.lines);
  if (const auto* bad = std::get_if<OrderError>(&parsed))
    return with_client(error(400, "bad_order", bad->message()));
  const auto& [header, order] = std::get<Alert>(parsed);
  if (const std::string why = config_.refusal_reason(); !why.empty())
    return with_client(error(503, "not_configured", "orders refused: " + why));

  const auto now = wall_clock_();
  if (const auto stale = judge_alert_time(header.time, now, config_.max_alert_age))
    return with_client(error(409, stale->outcome, stale->message));
  const std::string identity = alert_identity(order, header, now);
  if (!dedup_.reserve(identity))
    return with_client(
        error(409, "duplicate", "alert " + identity + " already received within the dedup window"));
  Reservation reservation(dedup_, identity);
  const TradeSettings settings{falconx_,     config_.execute, config_.price_tolerance,
                               wall_clock_,  claims_.get(),   ledger_ ? &*ledger_ : nullptr,
                               config_.slot, identity};
  return with_client(trade(settings, order, reservation));
}

}  // namespace xecutor
