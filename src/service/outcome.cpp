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
constexpr std::array kOutcomes{
  //         outcome                  word                      status reservation  notional hold
  OutcomeRow{O::AddressRefused,        "address_refused",         401, kRelease, kNotFilled},
  OutcomeRow{O::BadSecret,             "bad_secret",              401, kRelease, kNotFilled},
  OutcomeRow{O::BadOrder,              "bad_order",               400, kRelease, kNotFilled},
  OutcomeRow{O::NotConfigured,         "not_configured",          503, kRelease, kNotFilled},
  OutcomeRow{O::Halted,                "halted",                  503, kRelease, kNotFilled},
  OutcomeRow{O::PairNotAllowed,        "pair_not_allowed",        403, kRelease, kNotFilled},
  OutcomeRow{O::AlertTooOld,           "alert_too_old",           409, kRelease, kNotFilled},
  OutcomeRow{O::AlertFromFuture,       "alert_from_future",       409, kRelease, kNotFilled},
  OutcomeRow{O::Duplicate,             "duplicate",               409, kRelease, kNotFilled},
  OutcomeRow{O::Quoted,                "quoted",                  200, kKeep,    kNotFilled},
  OutcomeRow{O::Executed,              "executed",                200, kKeep,    kMayHaveFilled},
  OutcomeRow{O::FalconxError,          "falconx_error",           502, kRelease, kNotFilled},
  OutcomeRow{O::ExecuteNotSent,        "falconx_error",           502, kRelease, kNotFilled},
  OutcomeRow{O::PriceOutOfTolerance,   "price_out_of_tolerance",  422, kRelease, kNotFilled},
  OutcomeRow{O::PriceDeviation,        "price_deviation",         422, kRelease, kNotFilled},
  OutcomeRow{O::OrderNotionalExceeded, "order_notional_exceeded", 422, kRelease, kNotFilled},
  OutcomeRow{O::QuoteExpired,          "quote_expired",           422, kRelease, kNotFilled},
  OutcomeRow{O::DeadlineExceeded,      "deadline_exceeded",       504, kRelease, kNotFilled},
  OutcomeRow{O::DailyNotionalLimit,    "daily_notional_limit",    422, kRelease, kNotFilled},
  OutcomeRow{O::LedgerUnavailable,     "ledger_unavailable",      503, kRelease, kNotFilled},
  OutcomeRow{O::AlreadyClaimed,        "already_claimed",         409, kKeep,    kNotFilled},
  OutcomeRow{O::ClaimUnavailable,      "claim_unavailable",       503, kRelease, kNotFilled},
  OutcomeRow{O::ExecuteRejected,       "execute_rejected",        502, kKeep,    kNotFilled},
  OutcomeRow{O::ExecuteNotFilled,      "execute_not_filled",      502, kKeep,    kNotFilled},
  OutcomeRow{O::ExecuteMismatch,       "execute_mismatch",        502, kKeep,    kMayHaveFilled},
  OutcomeRow{O::ExecuteUnknown,        "execute_unknown",         502, kKeep,    kMayHaveFilled},
  OutcomeRow{O::OrderFound,            "order",                   200, kRelease, kNotFilled},
  OutcomeRow{O::UnknownOrder,          "unknown_order",           404, kRelease, kNotFilled},
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
  if (row.status >= 400) body["code"] = r.outcome;
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
