#include "trade.h"

#include <fmt/format.h>

#include "config.h"
#include "falcon_xecutor/falconx/execution_check.h"
#include "falcon_xecutor/http/structured_log.h"
#include "falcon_xecutor/risk/tolerance.h"
#include "falcon_xecutor/webhook/alert_identity.h"

namespace xecutor {
namespace {

using nlohmann::ordered_json;
using Transport = FalconxResponse::Transport;
using std::chrono::milliseconds;

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

}  // namespace

Trade::Trade(const TradeParts& parts, const Order& order, std::string identity,
             Reservation& reservation, Deadline deadline)
    : p_(parts),
      order_(order),
      identity_(std::move(identity)),
      reservation_(reservation),
      deadline_(std::move(deadline)) {
  info_ = {{"alert_id", identity_},
           {"mode", p_.config.mode_name()},
           {"side", side_lower(order.side)},
           {"amount", order.amount.to_string()},
           {"base", order.base},
           {"quote", order.quote},
           {"expected_price", order.expected_price.to_string()}};
}

WebhookReply Trade::run() {
  const Ending end = trade();
  settle(end.outcome);
  if (end.message.empty()) return answer(end.outcome, info_);
  return refusal(end.outcome, info_, end.message);
}

Trade::Ending Trade::trade() {
  if (auto end = request_quote()) return *end;
  if (auto end = check_quote()) return *end;
  if (!p_.config.execute) return {Outcome::Quoted, ""};
  if (auto end = check_time_left()) return *end;
  if (auto end = hold_daily_notional()) return *end;
  if (auto end = check_time_left())
    return *end;  // the ledger took it all: keep the alert unclaimed
  if (auto end = claim_identity()) return *end;
  if (auto end = check_time_left())
    return *end;  // the claim took the rest: nothing sent, the claim given back, a resend trades
  return execute();
}

// What the outcome means for the alert (outcome.cpp's table): the dedup
// reservation kept or released, the notional hold kept counting or given back.
void Trade::settle(Outcome outcome) {
  const OutcomeRow& row = outcome_row(outcome);
  if (!row.releases_claim.empty()) release_claim(row.releases_claim);
  if (row.keeps_reservation) reservation_.keep();
  if (!row.may_have_filled) release_notional();
}

Trade::Ending Trade::refuse(const Refusal& r) {
  p_.metrics.limit_hit(r.limit);
  return {outcome_named(r.code), r.message};
}

Trade::Step Trade::request_quote() {
  info_["client_order_id"] = identity_;
  const std::string request = quote_request_body(order_, identity_);
  if (quote_budget() <= milliseconds(0)) return deadline_exceeded("before the quote");
  FalconxResponse q = p_.falconx.quote(api_, request, quote_budget());
  if (q.transport == Transport::Answered && q.status == 404 && quote_budget() > milliseconds(0)) {
    api_ = "v1";  // an account or host without v3
    q = p_.falconx.quote(api_, request, quote_budget());
  }
  info_["falconx_api"] = api_;
  if (q.transport == Transport::Timeout && p_.config.execute)
    return Ending{Outcome::FalconxError,
                  "quote failed: " + transport_words(q) +
                      " (a quote may use what is left of XECUTOR_ALERT_DEADLINE minus "
                      "XECUTOR_MIN_EXECUTE_TIME=" +
                      std::to_string(p_.config.min_execute_time.count()) +
                      " ms, kept for the execute); nothing executed"};
  if (q.transport != Transport::Answered || q.status != 200)
    return Ending{Outcome::FalconxError, "quote failed: " + transport_words(q)};
  QuoteParse parsed = parse_falconx_quote(q.body);
  if (const auto* why = std::get_if<std::string>(&parsed))
    return Ending{Outcome::FalconxError, "quote failed: " + *why};
  quote_ = std::get<FalconxQuote>(std::move(parsed));
  info_["fx_quote_id"] = quote_.fx_quote_id;
  info_["t_expiry"] = quote_.t_expiry_text;
  return std::nullopt;
}

Trade::Step Trade::check_quote() {
  const auto price = order_.side == Side::Buy ? quote_.buy_price : quote_.sell_price;
  if (!price)
    return Ending{Outcome::FalconxError, "quote has no " + side_lower(order_.side) + "_price"};
  const PriceCheck check =
      check_price(order_.side, *price, order_.expected_price, p_.config.price_band);
  limit_ = check.limit;
  quoted_price_ = *price;
  info_["quoted_price"] = price->to_string();
  info_["price_limit"] = check.limit.to_string();
  info_["executed"] = false;
  if (check.verdict == PriceVerdict::BeyondLimit) {
    p_.metrics.limit_hit("price_tolerance");
    return Ending{Outcome::PriceOutOfTolerance, "quoted " + side_lower(order_.side) + " price " +
                                                    price->to_string() + " is beyond the limit " +
                                                    check.limit.to_string()};
  }
  if (check.verdict == PriceVerdict::OutsideBand) {
    p_.metrics.limit_hit("max_deviation");
    return Ending{Outcome::PriceDeviation,
                  "quoted price " + price->to_string() + " is outside the sanity band [" +
                      check.band_low.to_string() + ", " + check.band_high.to_string() +
                      "] (XECUTOR_MAX_DEVIATION_BPS)"};
  }
  if (auto r = notional_refusal(order_.amount, *price, p_.config.max_order_notional, "quoted"))
    return refuse(*r);
  return check_expiry();
}

// Execute only with at least XECUTOR_EXPIRY_MARGIN left before t_expiry:
// a quote about to expire would expire on the way.
Trade::Step Trade::check_expiry() {
  if (!quote_.t_expiry) return Ending{Outcome::FalconxError, "quote has no valid t_expiry"};
  const auto left = std::chrono::duration_cast<milliseconds>(*quote_.t_expiry - p_.now());
  if (left < p_.config.expiry_margin)
    return Ending{Outcome::QuoteExpired, "quote expires at " + quote_.t_expiry_text + ", " +
                                             std::to_string(left.count()) +
                                             " ms from now, less than the " +
                                             std::to_string(p_.config.expiry_margin.count()) +
                                             " ms XECUTOR_EXPIRY_MARGIN"};
  return std::nullopt;
}

// Live: the quote may not eat the execute's window (XECUTOR_MIN_EXECUTE_TIME).
milliseconds Trade::quote_budget() const {
  const milliseconds reserve = p_.config.execute ? p_.config.min_execute_time : milliseconds(0);
  return std::min(deadline_.left() - reserve, deadline_.for_call());
}

// The execute is sent only when what is left of the deadline can carry its
// answer back; otherwise nothing is sent and a resend may trade.
Trade::Step Trade::check_time_left() {
  if (deadline_.left() < p_.config.min_execute_time)
    return deadline_exceeded("before the execute (" +
                             std::to_string(std::max<long>(0, deadline_.left().count())) +
                             " ms left, XECUTOR_MIN_EXECUTE_TIME is " +
                             std::to_string(p_.config.min_execute_time.count()) + " ms)");
  return std::nullopt;
}

// With XECUTOR_MAX_DAILY_NOTIONAL: adds amount x quoted price to the day's
// total in the shared store, or refuses the trade.
Trade::Step Trade::hold_daily_notional() {
  if (p_.ledger == nullptr) return std::nullopt;
  const auto notional = order_.amount.times(quoted_price_, Rounding::Up);
  if (!notional) return Ending{Outcome::DailyNotionalLimit, "notional beyond any limit"};
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
      return Ending{Outcome::DailyNotionalLimit,
                    fmt::format("{} {} traded today plus this trade's {} would pass "
                                "XECUTOR_MAX_DAILY_NOTIONAL={}: not executed",
                                r.total_before.to_string(), hold.quote, notional->to_string(),
                                p_.ledger->limit().to_string())};
    case LedgerResult::Verdict::Failed:
      break;
  }
  log_event(spdlog::level::err,
            {{"event", "ledger_unavailable"}, {"alert_id", identity_}, {"error", r.error}});
  return Ending{Outcome::LedgerUnavailable,
                "daily notional ledger unavailable, nothing executed: " + r.error};
}

void Trade::release_notional() {
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
Trade::Step Trade::claim_identity() {
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
      p_.metrics.claim_refused("already_claimed");
      return Ending{
          Outcome::AlreadyClaimed,
          "alert " + identity_ +
              " was already claimed (executed, or executing, on some slot): not executed"};
    case StoreWrite::Outcome::Failed:
      break;
  }
  p_.metrics.claim_refused("store_unavailable");
  log_event(spdlog::level::err,
            {{"event", "claim_unavailable"}, {"alert_id", identity_}, {"error", w.error}});
  return Ending{Outcome::ClaimUnavailable,
                "claim store unavailable, nothing executed (never without a claim): " + w.error};
}

// The execute is known not to have left: the claim goes, so TradingView's
// resend trades with a fresh quote.
void Trade::release_claim(std::string_view reason) {
  if (!claim_ || !claim_->held()) return;
  const std::string why_not = claim_->release(std::string(reason), p_.config.slot, p_.now());
  if (why_not.empty()) {
    log_event(
        spdlog::level::info,
        {{"event", "claim_released"}, {"alert_id", identity_}, {"reason", std::string(reason)}});
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

Trade::Ending Trade::deadline_exceeded(const std::string& when) {
  p_.metrics.limit_hit("alert_deadline");
  info_["executed"] = false;
  return {Outcome::DeadlineExceeded, "XECUTOR_ALERT_DEADLINE of " +
                                         std::to_string(p_.config.alert_deadline.count()) +
                                         " ms passed " + when + "; nothing executed"};
}

Trade::Ending Trade::execute() {
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
  const FalconxResponse e = p_.falconx.execute(api_, body, deadline_.for_call());
  if (e.transport == Transport::NotSent) {
    // Never reached FalconX (refused, DNS, TLS): the outcome table gives the
    // claim back, the resend trades.
    info_["executed"] = false;
    return {Outcome::ExecuteNotSent, "execute not sent, nothing executed: " + transport_words(e)};
  }
  // From here FalconX may have seen it: the outcome table keeps the reservation.
  if (e.transport != Transport::Answered || e.status >= 500)
    return execute_unknown(transport_words(e));
  if (e.status != 200) {
    info_["executed"] = false;
    return finished(Outcome::ExecuteRejected, "rejected", "execute refused: " + transport_words(e));
  }
  const QuoteParse parsed = parse_falconx_quote(e.body);
  if (const auto* why = std::get_if<std::string>(&parsed)) return execute_unknown(*why);
  return verify(std::get<FalconxQuote>(parsed));
}

Trade::Ending Trade::verify(const FalconxQuote& done) {
  if (!done.is_filled) {
    info_["executed"] = false;
    return finished(Outcome::ExecuteNotFilled, "not_filled",
                    "FalconX answered the execute with is_filled=false");
  }
  info_["executed"] = true;
  info_["price_executed"] =
      done.price_executed ? ordered_json(done.price_executed->to_string()) : ordered_json(nullptr);
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
    return finished(Outcome::ExecuteMismatch, "mismatch",
                    "FalconX's execute answer does not match the order (see mismatches)");
  }
  log_event(spdlog::level::warn, {{"event", "executed"},
                                  {"alert_id", identity_},
                                  {"fx_quote_id", quote_.fx_quote_id},
                                  {"price_executed", info_["price_executed"]}});
  return finished(Outcome::Executed, "filled", "");
}

// The execute got an answer: count it, remember it for GET /orders.
Trade::Ending Trade::finished(Outcome outcome, const std::string& result, std::string message) {
  p_.metrics.execute(result);
  ordered_json record = info_;
  record["status"] = std::string(outcome_row(outcome).word);
  p_.orders.record(identity_, record);
  return {outcome, std::move(message)};
}

// An execute that may have reached FalconX but whose answer we do not have.
// Never retried (a second execute could double the trade): followed up instead.
Trade::Ending Trade::execute_unknown(const std::string& why) {
  const std::string& id = quote_.fx_quote_id;
  log_event(spdlog::level::critical,
            {{"event", "execute_outcome_unknown"},
             {"alert_id", identity_},
             {"fx_quote_id", id},
             {"reason", why},
             {"action", "not retried; following up with GET /v1/quotes/" + id}});
  info_["executed"] = nullptr;
  p_.falconx.follow_up({identity_, {id, order_.side, order_.amount, limit_}, quote_.t_expiry});
  return finished(Outcome::ExecuteUnknown, "unknown",
                  "execute outcome UNKNOWN (" + why + "); not retried, following up at GET " +
                      "/orders/" + identity_ + "; check FalconX for quote " + id);
}

}  // namespace xecutor
