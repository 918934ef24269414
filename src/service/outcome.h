#pragma once
// Every answer of the webhook flow (and of GET /orders/<id>), by outcome, in
// one table (outcome.cpp): the word (the JSON `outcome`, a refusal's `code`,
// the metrics label), the HTTP status, and what the outcome means for the
// alert afterwards. Change a status or a consequence there, in one place;
// README "Endpoints" shows the same table.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "falcon_xecutor/http/webhook_types.h"

namespace xecutor {

enum class Outcome {
  // Refused before anything is sent to FalconX (ServiceApp).
  AddressRefused,
  BadSecret,
  BadOrder,
  TimeRequired,  // live mode: the alert has no time: line, so a resend cannot be told apart
  NotConfigured,
  Halted,
  PairNotAllowed,
  AlertTooOld,
  AlertFromFuture,
  Duplicate,
  // The trade (Trade): quote, checks, live execute.
  Quoted,
  Executed,
  FalconxError,    // the quote failed, or its answer cannot be traded on
  ExecuteNotSent,  // the execute never left this host: answered as falconx_error
  PriceOutOfTolerance,
  PriceDeviation,
  OrderNotionalExceeded,
  QuoteExpired,
  DeadlineExceeded,
  DailyNotionalLimit,
  LedgerUnavailable,
  AlreadyClaimed,
  ClaimUnavailable,
  ExecuteRejected,
  ExecuteNotFilled,
  ExecuteMismatch,
  ExecuteUnknown,
  // GET /orders/<id>.
  OrderFound,
  UnknownOrder,
};

struct OutcomeRow {
  Outcome outcome;
  std::string_view word;
  int status;
  // The alert's dedup reservation is kept for the window (a resend is answered
  // 409 duplicate) instead of released for a fresh quote: once an execute may
  // have reached FalconX, a paper quote succeeded, or another slot claimed it.
  bool keeps_reservation;
  // FalconX may have filled: the day's notional hold keeps counting. Any other
  // outcome gives the hold back (the execute certainly did not fill).
  bool may_have_filled;
  // Non-empty: the execute certainly never left, so the alert's claim (if this
  // request took one) is marked released for this reason and TradingView's
  // resend trades with a fresh quote (alert_claim.h). Empty: a claim stays.
  std::string_view releases_claim;
};

const OutcomeRow& outcome_row(Outcome outcome);
// The outcome a lower layer names by its word (pre_trade's Refusal::code,
// alert_freshness's StaleAlert::outcome); throws std::logic_error for a word
// not in the table.
Outcome outcome_named(std::string_view word);

// The answer: `body` plus "outcome" and, for any status but 200 (a refusal, or a
// 202 whose trade needs a look), "code".
WebhookReply answer(Outcome outcome, nlohmann::ordered_json body);
// A refusal: `info` plus "error": `message`.
WebhookReply refusal(Outcome outcome, nlohmann::ordered_json info, const std::string& message);
WebhookReply refusal(Outcome outcome, const std::string& message);

}  // namespace xecutor
