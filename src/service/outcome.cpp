#include "outcome.h"

#include <array>
#include <stdexcept>

namespace xecutor {
namespace {

using O = Outcome;
constexpr bool kKeep = true;  // keeps_reservation
constexpr bool kRelease = false;
constexpr bool kMayHaveFilled = true;
constexpr bool kNotFilled = false;

// clang-format off
// Statuses answer TradingView's delivery (README "Delivery"): it resends only
// after a 5xx, so a 5xx means "nothing traded, a resend may" (503 when a
// fresh quote or store may do, 502 when FalconX failed, 504 out of time), and
// an execute FalconX may have seen is never a 5xx: 202 (mismatch, unknown:
// look at it) or 422 (refused or not filled: a resend would not help).
constexpr std::string_view kDeadline = "deadline";
constexpr std::string_view kNotSent = "execute_not_sent";
constexpr std::string_view kKeepClaim = "";
constexpr std::array kOutcomes{
  //         outcome                  word                      status reservation  notional hold  claim
  OutcomeRow{O::AddressRefused,        "address_refused",         401, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::BadSecret,             "bad_secret",              401, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::BadOrder,              "bad_order",               400, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::TimeRequired,          "time_required",           400, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::NotConfigured,         "not_configured",          503, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::Halted,                "halted",                  503, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::PairNotAllowed,        "pair_not_allowed",        403, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::AlertTooOld,           "alert_too_old",           409, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::AlertFromFuture,       "alert_from_future",       409, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::Duplicate,             "duplicate",               409, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::Quoted,                "quoted",                  200, kKeep,    kNotFilled,     kKeepClaim},
  OutcomeRow{O::Executed,              "executed",                200, kKeep,    kMayHaveFilled, kKeepClaim},
  OutcomeRow{O::FalconxError,          "falconx_error",           502, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::ExecuteNotSent,        "falconx_error",           502, kRelease, kNotFilled,     kNotSent},
  OutcomeRow{O::PriceOutOfTolerance,   "price_out_of_tolerance",  422, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::PriceDeviation,        "price_deviation",         422, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::OrderNotionalExceeded, "order_notional_exceeded", 422, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::QuoteExpired,          "quote_expired",           503, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::DeadlineExceeded,      "deadline_exceeded",       504, kRelease, kNotFilled,     kDeadline},
  OutcomeRow{O::DailyNotionalLimit,    "daily_notional_limit",    422, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::LedgerUnavailable,     "ledger_unavailable",      503, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::AlreadyClaimed,        "already_claimed",         409, kKeep,    kNotFilled,     kKeepClaim},
  OutcomeRow{O::ClaimUnavailable,      "claim_unavailable",       503, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::ExecuteRejected,       "execute_rejected",        422, kKeep,    kNotFilled,     kKeepClaim},
  OutcomeRow{O::ExecuteNotFilled,      "execute_not_filled",      422, kKeep,    kNotFilled,     kKeepClaim},
  OutcomeRow{O::ExecuteMismatch,       "execute_mismatch",        202, kKeep,    kMayHaveFilled, kKeepClaim},
  OutcomeRow{O::ExecuteUnknown,        "execute_unknown",         202, kKeep,    kMayHaveFilled, kKeepClaim},
  OutcomeRow{O::OrderFound,            "order",                   200, kRelease, kNotFilled,     kKeepClaim},
  OutcomeRow{O::UnknownOrder,          "unknown_order",           404, kRelease, kNotFilled,     kKeepClaim},
};
// clang-format on

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kOutcomes.size(); ++i)
    if (static_cast<std::size_t>(kOutcomes[i].outcome) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "one row per Outcome, in declaration order");

}  // namespace

const OutcomeRow& outcome_row(Outcome outcome) {
  return kOutcomes.at(static_cast<std::size_t>(outcome));
}

Outcome outcome_named(std::string_view word) {
  for (const auto& row : kOutcomes)
    if (row.word == word) return row.outcome;
  throw std::logic_error("no outcome named '" + std::string(word) + "'");
}

WebhookReply answer(Outcome outcome, nlohmann::ordered_json body) {
  const OutcomeRow& row = outcome_row(outcome);
  WebhookReply r;
  r.status = row.status;
  r.outcome = std::string(row.word);
  body["outcome"] = r.outcome;
  if (row.status != 200) body["code"] = r.outcome;
  if (const auto id = body.find("fx_quote_id"); id != body.end() && id->is_string())
    r.quote_id = *id;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

WebhookReply refusal(Outcome outcome, nlohmann::ordered_json info, const std::string& message) {
  info["error"] = message;
  return answer(outcome, std::move(info));
}

WebhookReply refusal(Outcome outcome, const std::string& message) {
  return refusal(outcome, nlohmann::ordered_json::object(), message);
}

}  // namespace xecutor
