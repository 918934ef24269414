#include "service/service_app.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "falcon_xecutor/alert_freshness.h"
#include "falcon_xecutor/alert_header.h"
#include "falcon_xecutor/alert_identity.h"
#include "falcon_xecutor/execution_check.h"
#include "falcon_xecutor/falconx_quote.h"
#include "falcon_xecutor/order.h"
#include "falcon_xecutor/pre_trade.h"
#include "falcon_xecutor/tolerance.h"
#include "falcon_xecutor/webhook_body.h"
#include "service/alert_claim.h"
#include "service/request_auth.h"
#include "service/structured_log.h"

namespace xecutor {
namespace {

using nlohmann::ordered_json;
using Transport = FalconxResponse::Transport;
using std::chrono::milliseconds;

// Every answer carries its outcome; every refusal also a JSON error `code` (the same word).
WebhookReply reply(int status, std::string outcome, ordered_json body) {
  WebhookReply r;
  r.status = status;
  body["outcome"] = outcome;
  if (status != 200) body["code"] = outcome;
  r.outcome = std::move(outcome);
  if (const auto id = body.find("fx_quote_id"); id != body.end() && id->is_string())
    r.quote_id = *id;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

WebhookReply error(int status, std::string outcome, const std::string& message) {
  return reply(status, std::move(outcome), ordered_json{{"error", message}});
}

WebhookReply fail(int status, std::string outcome, ordered_json info, const std::string& message) {
  info["error"] = message;
  return reply(status, std::move(outcome), std::move(info));
}

std::string bearer_token(const std::string& authorization) {
  const std::string prefix = "Bearer ";
  return authorization.rfind(prefix, 0) == 0 ? authorization.substr(prefix.size()) : "";
}

// The alert identity goes to FalconX as client_order_id, so a trade can be
// found there by the same key the claims use.
std::string quote_request_body(const Order& o, const std::string& identity) {
  ordered_json j;
  j["token_pair"] = {{"base_token", o.base}, {"quote_token", o.quote}};
  j["quantity"] = {{"token", o.base}, {"value", o.amount.to_string()}};
  j["side"] = side_lower(o.side);
  j["client_order_id"] = identity;
  return j.dump();
}

struct Alert {
  AlertHeader header;
  Order order;
};

// The header lines (id:, time:) and the order, or the first bad line.
std::variant<Alert, OrderError> parse_alert(const std::vector<BodyLine>& lines) {
  const auto header = take_alert_header(lines);
  if (const auto* bad = std::get_if<OrderError>(&header)) return *bad;
  const auto& parts = std::get<AlertHeaderParse>(header);
  OrderParse order = parse_order(parts.order_lines);
  if (const auto* bad = std::get_if<OrderError>(&order)) return *bad;
  return Alert{parts.header, std::get<Order>(std::move(order))};
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

// The alert's time budget, from the moment its connection was accepted (queue
// wait included): every FalconX call gets what is left (capped per call).
class Deadline {
 public:
  Deadline(std::chrono::steady_clock::time_point start, milliseconds budget,
           milliseconds per_call_cap)
      : end_(start + budget), cap_(per_call_cap) {}
  milliseconds left() const {
    return std::chrono::duration_cast<milliseconds>(end_ - std::chrono::steady_clock::now());
  }
  milliseconds for_call() const { return std::min(left(), cap_); }
  bool passed() const { return left() <= milliseconds(0); }

 private:
  std::chrono::steady_clock::time_point end_;
  milliseconds cap_;
};

struct TradeParts {
  const ServiceConfig& config;
  const FalconxClient& falconx;
  Metrics& metrics;
  OrderBook& orders;
  OutcomeFollowUp& follow_up;
  const ServiceApp::WallClock& now;
  std::chrono::steady_clock::time_point accepted_at;  // the deadline counts from here
  ClaimStore* claims;           // required in live mode (config refuses orders without)
  DailyNotionalLedger* ledger;  // null: no daily cap
};

// A notional held in the day's shared total until the trade's fate is known.
struct NotionalHold {
  std::string day;
  std::string quote;
  Decimal notional;
};

// One order from quote to (live) execute and its verification.
class Trade {
 public:
  Trade(const TradeParts& parts, const Order& order, std::string identity, Reservation& reservation)
      : p_(parts),
        order_(order),
        identity_(std::move(identity)),
        reservation_(reservation),
        deadline_(parts.accepted_at, parts.config.alert_deadline, parts.config.falconx_timeout) {
    info_ = {{"alert_id", identity_},
             {"mode", p_.config.mode_name()},
             {"side", side_lower(order.side)},
             {"amount", order.amount.to_string()},
             {"base", order.base},
             {"quote", order.quote},
             {"expected_price", order.expected_price.to_string()}};
  }

  WebhookReply run() {
    if (auto r = request_quote()) return *r;
    if (auto r = check_quote()) return *r;
    if (!p_.config.execute) {
      reservation_.keep();
      return reply(200, "quoted", info_);
    }
    if (auto r = check_time_left()) return *r;
    if (auto r = hold_daily_notional()) return *r;
    if (auto r = check_time_left()) {  // the ledger took it all: keep the alert unclaimed
      release_notional();
      return *r;
    }
    if (auto r = claim_identity()) {
      release_notional();
      return *r;
    }
    if (auto r = check_time_left()) {  // the claim took the rest: nothing sent, trade on a resend
      release_claim("deadline");
      release_notional();
      return *r;
    }
    WebhookReply r = execute();
    // Given back only when FalconX certainly did not fill; an unknown outcome keeps counting.
    if (r.outcome == "execute_rejected" || r.outcome == "execute_not_filled" ||
        r.outcome == "falconx_error")
      release_notional();
    return r;
  }

 private:
  WebhookReply refuse(const Refusal& r) {
    p_.metrics.limit_hit(r.limit);
    return fail(r.status, r.code, info_, r.message);
  }

  std::optional<WebhookReply> request_quote() {
    info_["client_order_id"] = identity_;
    const std::string request = quote_request_body(order_, identity_);
    if (quote_budget() <= milliseconds(0)) return deadline_exceeded("before the quote");
    FalconxResponse q = p_.falconx.post("/v3/quotes", request, quote_budget());
    if (q.transport == Transport::Answered && q.status == 404 && quote_budget() > milliseconds(0)) {
      api_ = "v1";  // an account or host without v3
      q = p_.falconx.post("/v1/quotes", request, quote_budget());
    }
    info_["falconx_api"] = api_;
    if (q.transport == Transport::Timeout && p_.config.execute)
      return fail(502, "falconx_error", info_,
                  "quote failed: " + transport_words(q) +
                      " (a quote may use what is left of XECUTOR_ALERT_DEADLINE minus "
                      "XECUTOR_MIN_EXECUTE_TIME=" +
                      std::to_string(p_.config.min_execute_time.count()) +
                      " ms, kept for the execute); nothing executed");
    if (q.transport != Transport::Answered || q.status != 200)
      return fail(502, "falconx_error", info_, "quote failed: " + transport_words(q));
    QuoteParse parsed = parse_falconx_quote(q.body);
    if (const auto* why = std::get_if<std::string>(&parsed))
      return fail(502, "falconx_error", info_, "quote failed: " + *why);
    quote_ = std::get<FalconxQuote>(std::move(parsed));
    info_["fx_quote_id"] = quote_.fx_quote_id;
    info_["t_expiry"] = quote_.t_expiry_text;
    return std::nullopt;
  }

  std::optional<WebhookReply> check_quote() {
    const auto price = order_.side == Side::Buy ? quote_.buy_price : quote_.sell_price;
    if (!price)
      return fail(502, "falconx_error", info_,
                  "quote has no " + side_lower(order_.side) + "_price");
    const PriceCheck check =
        check_price(order_.side, *price, order_.expected_price, p_.config.price_band);
    limit_ = check.limit;
    quoted_price_ = *price;
    info_["quoted_price"] = price->to_string();
    info_["price_limit"] = check.limit.to_string();
    info_["executed"] = false;
    if (check.verdict == PriceVerdict::BeyondLimit) {
      p_.metrics.limit_hit("price_tolerance");
      return fail(422, "price_out_of_tolerance", info_,
                  "quoted " + side_lower(order_.side) + " price " + price->to_string() +
                      " is beyond the limit " + check.limit.to_string());
    }
    if (check.verdict == PriceVerdict::OutsideBand) {
      p_.metrics.limit_hit("max_deviation");
      return fail(422, "price_deviation", info_,
                  "quoted price " + price->to_string() + " is outside the sanity band [" +
                      check.band_low.to_string() + ", " + check.band_high.to_string() +
                      "] (XECUTOR_MAX_DEVIATION_BPS)");
    }
    if (auto r = notional_refusal(order_.amount, *price, p_.config.max_order_notional, "quoted"))
      return refuse(*r);
    return check_expiry();
  }

  // Execute only with at least XECUTOR_EXPIRY_MARGIN left before t_expiry:
  // a quote about to expire would expire on the way.
  std::optional<WebhookReply> check_expiry() {
    if (!quote_.t_expiry) return fail(502, "falconx_error", info_, "quote has no valid t_expiry");
    const auto left = std::chrono::duration_cast<milliseconds>(*quote_.t_expiry - p_.now());
    if (left < p_.config.expiry_margin)  // a resend gets a fresh quote: 503, resent
      return fail(503, "quote_expired", info_,
                  "quote expires at " + quote_.t_expiry_text + ", " + std::to_string(left.count()) +
                      " ms from now, less than the " +
                      std::to_string(p_.config.expiry_margin.count()) +
                      " ms XECUTOR_EXPIRY_MARGIN");
    return std::nullopt;
  }

  // Live: the quote may not eat the execute's window (XECUTOR_MIN_EXECUTE_TIME).
  milliseconds quote_budget() const {
    const milliseconds reserve = p_.config.execute ? p_.config.min_execute_time : milliseconds(0);
    return std::min(deadline_.left() - reserve, deadline_.for_call());
  }

  // The execute is sent only when what is left of the deadline can carry its
  // answer back; otherwise nothing is sent and a resend may trade.
  std::optional<WebhookReply> check_time_left() {
    if (deadline_.left() < p_.config.min_execute_time)
      return deadline_exceeded("before the execute (" +
                               std::to_string(std::max<long>(0, deadline_.left().count())) +
                               " ms left, XECUTOR_MIN_EXECUTE_TIME is " +
                               std::to_string(p_.config.min_execute_time.count()) + " ms)");
    return std::nullopt;
  }

  // With XECUTOR_MAX_DAILY_NOTIONAL: adds amount x quoted price to the day's
  // total in the shared store, or refuses the trade.
  std::optional<WebhookReply> hold_daily_notional() {
    if (p_.ledger == nullptr) return std::nullopt;
    const auto notional = order_.amount.times(quoted_price_, Rounding::Up);
    if (!notional) return fail(422, "daily_notional_limit", info_, "notional beyond any limit");
    NotionalHold hold{utc_day(p_.now()), order_.quote, *notional};
    const LedgerResult r = p_.ledger->reserve(hold.day, hold.quote, hold.notional);
    info_["notional"] = notional->to_string();
    info_["daily_notional_before"] = r.total_before.to_string();
    info_["max_daily_notional"] = p_.ledger->limit().to_string();
    switch (r.verdict) {
      case LedgerResult::Verdict::Reserved:
        hold_ = hold;
        return std::nullopt;
      case LedgerResult::Verdict::LimitReached:
        p_.metrics.limit_hit("max_daily_notional");
        return fail(422, "daily_notional_limit", info_,
                    fmt::format("{} {} traded today plus this trade's {} would pass "
                                "XECUTOR_MAX_DAILY_NOTIONAL={}: not executed",
                                r.total_before.to_string(), hold.quote, notional->to_string(),
                                p_.ledger->limit().to_string()));
      case LedgerResult::Verdict::Failed:
        break;
    }
    log_event(spdlog::level::err,
              {{"event", "ledger_unavailable"}, {"alert_id", identity_}, {"error", r.error}});
    return fail(503, "ledger_unavailable", info_,
                "daily notional ledger unavailable, nothing executed: " + r.error);
  }

  void release_notional() {
    if (!hold_) return;
    const LedgerResult r = p_.ledger->release(hold_->day, hold_->quote, hold_->notional);
    if (r.verdict != LedgerResult::Verdict::Reserved)
      log_event(spdlog::level::err, {{"event", "ledger_release_failed"},
                                     {"alert_id", identity_},
                                     {"day", hold_->day},
                                     {"quote", hold_->quote},
                                     {"notional", hold_->notional.to_string()},
                                     {"error", r.error},
                                     {"effect", "the day's total over-counts this amount"}});
    hold_.reset();
  }

  // The claim on the alert identity in the shared store (alert_claim.h).
  // Whoever writes it first (this process, the other slot, a run before a
  // restart) executes; everyone else is refused. A store that cannot answer
  // means no execute.
  std::optional<WebhookReply> claim_identity() {
    claim_.emplace(*p_.claims, identity_);
    const StoreWrite w = claim_->take(
        {{"identity", identity_},
         {"slot", p_.config.slot},
         {"fx_quote_id", quote_.fx_quote_id},
         {"order", canonical_order_text(order_)},
         {"claimed_at_unix_ms",
          std::chrono::duration_cast<milliseconds>(p_.now().time_since_epoch()).count()}});
    switch (w.outcome) {
      case StoreWrite::Outcome::Written:
        return std::nullopt;
      case StoreWrite::Outcome::Conflict:
        reservation_.keep();  // claimed for good: this alert never trades again
        p_.metrics.claim_refused("already_claimed");
        return fail(
            409, "already_claimed", info_,
            "alert " + identity_ +
                " was already claimed (executed, or executing, on some slot): not executed");
      case StoreWrite::Outcome::Failed:
        break;
    }
    p_.metrics.claim_refused("store_unavailable");
    log_event(spdlog::level::err,
              {{"event", "claim_unavailable"}, {"alert_id", identity_}, {"error", w.error}});
    return fail(503, "claim_unavailable", info_,
                "claim store unavailable, nothing executed (never without a claim): " + w.error);
  }

  // The execute is known not to have left: the claim goes, so TradingView's
  // resend trades with a fresh quote.
  void release_claim(const std::string& reason) {
    if (!claim_ || !claim_->held()) return;
    const std::string why_not = claim_->release(reason, p_.config.slot, p_.now());
    if (why_not.empty()) {
      log_event(spdlog::level::info,
                {{"event", "claim_released"}, {"alert_id", identity_}, {"reason", reason}});
      return;
    }
    log_event(spdlog::level::err,
              {{"event", "claim_release_failed"},
               {"alert_id", identity_},
               {"error", why_not},
               {"effect",
                "nothing was executed, but a resend of this alert is refused "
                "409 already_claimed: place it again (new time:) if it should trade"}});
  }

  WebhookReply deadline_exceeded(const std::string& when) {
    p_.metrics.limit_hit("alert_deadline");
    info_["executed"] = false;
    return fail(504, "deadline_exceeded", info_,
                "XECUTOR_ALERT_DEADLINE of " + std::to_string(p_.config.alert_deadline.count()) +
                    " ms passed " + when + "; nothing executed");
  }

  WebhookReply execute() {
    const std::string& id = quote_.fx_quote_id;
    const std::string body =
        ordered_json{{"fx_quote_id", id}, {"side", side_lower(order_.side)}}.dump();
    log_event(spdlog::level::warn, {{"event", "execute_sent"},
                                    {"alert_id", identity_},
                                    {"fx_quote_id", id},
                                    {"side", side_lower(order_.side)},
                                    {"amount", order_.amount.to_string()},
                                    {"base", order_.base},
                                    {"quote", order_.quote},
                                    {"price_limit", limit_.to_string()}});
    const FalconxResponse e =
        p_.falconx.post("/" + api_ + "/quotes/execute", body, deadline_.for_call());
    if (e.transport == Transport::NotSent) {
      // Never reached FalconX (refused, DNS, TLS): the claim goes, the resend trades.
      info_["executed"] = false;
      release_claim("execute_not_sent");
      return fail(502, "falconx_error", info_,
                  "execute not sent, nothing executed: " + transport_words(e));
    }
    reservation_.keep();  // FalconX may have seen it: a duplicate must not trade again
    if (e.transport != Transport::Answered || e.status >= 500)
      return execute_unknown(transport_words(e));
    if (e.status != 200) {
      info_["executed"] = false;
      return finished(422, "execute_rejected", "rejected",
                      "execute refused: " + transport_words(e));
    }
    const QuoteParse parsed = parse_falconx_quote(e.body);
    if (const auto* why = std::get_if<std::string>(&parsed)) return execute_unknown(*why);
    return verify(std::get<FalconxQuote>(parsed));
  }

  WebhookReply verify(const FalconxQuote& done) {
    if (!done.is_filled) {
      info_["executed"] = false;
      return finished(422, "execute_not_filled", "not_filled",
                      "FalconX answered the execute with is_filled=false");
    }
    info_["executed"] = true;
    info_["price_executed"] = done.price_executed ? ordered_json(done.price_executed->to_string())
                                                  : ordered_json(nullptr);
    info_["side_executed"] = done.side_executed;
    const auto mismatches =
        execution_mismatches({quote_.fx_quote_id, order_.side, order_.amount, limit_}, done);
    if (!mismatches.empty()) {
      info_["mismatches"] = mismatch_json(mismatches);
      log_event(spdlog::level::critical,
                {{"event", "execute_mismatch"},
                 {"alert_id", identity_},
                 {"fx_quote_id", quote_.fx_quote_id},
                 {"mismatches", info_["mismatches"]},
                 {"action", "FalconX reports a fill that differs from the order: check it now"}});
      return finished(202, "execute_mismatch", "mismatch",
                      "FalconX's execute answer does not match the order (see mismatches)");
    }
    log_event(spdlog::level::warn, {{"event", "executed"},
                                    {"alert_id", identity_},
                                    {"fx_quote_id", quote_.fx_quote_id},
                                    {"price_executed", info_["price_executed"]}});
    return finished(200, "executed", "filled", "");
  }

  // The execute got an answer: count it, remember it for GET /orders, reply.
  WebhookReply finished(int status, const std::string& outcome, const std::string& result,
                        const std::string& message) {
    p_.metrics.execute(result);
    ordered_json record = info_;
    record["status"] = outcome;
    p_.orders.record(identity_, record);
    if (message.empty()) return reply(status, outcome, info_);
    return fail(status, outcome, info_, message);
  }

  // An execute that may have reached FalconX but whose answer we do not have.
  // Never retried (a second execute could double the trade): followed up instead.
  WebhookReply execute_unknown(const std::string& why) {
    const std::string& id = quote_.fx_quote_id;
    log_event(spdlog::level::critical,
              {{"event", "execute_outcome_unknown"},
               {"alert_id", identity_},
               {"fx_quote_id", id},
               {"reason", why},
               {"action", "not retried; following up with GET /v1/quotes/" + id}});
    info_["executed"] = nullptr;
    p_.follow_up.start({identity_, {id, order_.side, order_.amount, limit_}, quote_.t_expiry});
    return finished(202, "execute_unknown", "unknown",
                    "execute outcome UNKNOWN (" + why + "); not retried, following up at GET " +
                        "/orders/" + identity_ + "; check FalconX for quote " + id);
  }

  const TradeParts& p_;
  const Order& order_;
  std::string identity_;
  Reservation& reservation_;
  Deadline deadline_;
  ordered_json info_;
  std::string api_ = "v3";
  FalconxQuote quote_;
  Decimal limit_;
  Decimal quoted_price_;
  std::optional<NotionalHold> hold_;
  std::optional<AlertClaim> claim_;  // live, once the claim was tried
};

bool is_loopback(const std::string& address) {
  const std::string a = normalize_address(address);
  return a == "::1" || a.rfind("127.", 0) == 0;
}

}  // namespace

ServiceApp::ServiceApp(ServiceConfig config, Metrics& metrics, WallClock wall_clock)
    : config_(std::move(config)),
      metrics_(metrics),
      wall_clock_(std::move(wall_clock)),
      kill_switch_(config_.halt, config_.halt_file),
      dedup_(config_.dedup_window, std::chrono::steady_clock::now),
      falconx_(config_.falconx, config_.falconx_base_url,
               [&metrics](const std::string&, const std::string& path, const FalconxResponse& r,
                          std::chrono::duration<double> latency) {
                 const std::string status = r.transport == Transport::Answered
                                                ? std::to_string(r.status)
                                            : r.transport == Transport::Timeout ? "timeout"
                                            : r.transport == Transport::NotSent ? "not_sent"
                                                                                : "failed";
                 metrics.falconx_call(falconx_endpoint_label(path), status, latency);
               }),
      claims_(make_claim_store(config_.claim_store)),
      follow_up_(falconx_, orders_, metrics_) {
  if (claims_ && config_.max_daily_notional) ledger_.emplace(*claims_, *config_.max_daily_notional);
}

WebhookReply ServiceApp::handle(const WebhookRequest& request) {
  WebhookReply r = process(request);
  metrics_.alert(r.outcome);
  return r;
}

WebhookReply ServiceApp::process(const WebhookRequest& request) {
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
  if (config_.execute && !header.time)
    return with_client(error(
        400, "time_required",
        "live mode needs the alert's 'time: {{timenow}}' line (README \"Alert template\"): "
        "TradingView resends the same bytes after a 5xx, and without time: a resend cannot be "
        "told from a new alert. Add the line to the alert's message; nothing was sent to FalconX"));
  if (const std::string why = config_.refusal_reason(); !why.empty())
    return with_client(error(503, "not_configured", "orders refused: " + why));

  if (kill_switch_.halted()) {
    metrics_.limit_hit("halt");
    return with_client(
        error(503, "halted", "orders refused: halted (" + kill_switch_.reason() + ")"));
  }
  if (auto r = pair_refusal(order, config_.allowed_pairs)) {
    metrics_.limit_hit(r->limit);
    return with_client(error(r->status, r->code, r->message));
  }
  if (auto r = notional_refusal(order.amount, order.expected_price, config_.max_order_notional,
                                "expected")) {
    metrics_.limit_hit(r->limit);
    return with_client(error(r->status, r->code, r->message));
  }

  const auto now = wall_clock_();
  if (const auto stale = judge_alert_time(header.time, now, config_.max_alert_age)) {
    metrics_.claim_refused(stale->outcome);
    return with_client(error(409, stale->outcome, stale->message));
  }
  const std::string identity = alert_identity(order, header, now);
  if (!dedup_.reserve(identity)) {
    metrics_.claim_refused("duplicate");
    return with_client(
        error(409, "duplicate", "alert " + identity + " already received within the dedup window"));
  }
  Reservation reservation(dedup_, identity);
  const auto accepted_at = request.accepted_at == std::chrono::steady_clock::time_point{}
                               ? std::chrono::steady_clock::now()
                               : request.accepted_at;
  const TradeParts parts{config_,     falconx_,      metrics_,
                         orders_,     follow_up_,    wall_clock_,
                         accepted_at, claims_.get(), ledger_ ? &*ledger_ : nullptr};
  return with_client(Trade(parts, order, identity, reservation).run());
}

WebhookReply ServiceApp::order_status(const std::string& identity,
                                      const std::string& authorization) const {
  if (config_.webhook_secret.empty())
    return error(503, "not_configured", "XECUTOR_WEBHOOK_SECRET is not set");
  if (!secret_matches(config_.webhook_secret, bearer_token(authorization)))
    return error(401, "bad_secret", "Authorization: Bearer <webhook secret> required");
  const auto record = orders_.find(identity);
  if (!record) return error(404, "unknown_order", "no live order known for " + identity);
  return reply(200, "order", *record);
}

bool ServiceApp::metrics_allowed(const WebhookRequest& request,
                                 const std::string& authorization) const {
  const bool direct_loopback =
      is_loopback(request.peer) && request.x_real_ip.empty() && request.x_forwarded_for.empty();
  return direct_loopback || (!config_.webhook_secret.empty() &&
                             secret_matches(config_.webhook_secret, bearer_token(authorization)));
}

}  // namespace xecutor
