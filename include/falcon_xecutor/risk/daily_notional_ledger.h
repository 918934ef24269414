#pragma once
// The day's traded notional (amount x price, in the quote currency), kept in
// the shared ClaimStore so blue, green and restarts add to one total, capped
// by XECUTOR_MAX_DAILY_NOTIONAL. One object per UTC day and quote currency
// ("daily-notional/2026-12-01/USD"), content
//   {"day":"2026-12-01","quote":"USD","total":"30000.5","trades":2}
// with the total as an exact decimal string. reserve() is a compare-and-swap
// loop (read + replace, create for the day's first trade): two slots adding
// at once both land, one after the other, and neither can pass the cap.
// The notional is reserved BEFORE the execute is sent and given back
// (release()) only when FalconX certainly did not fill, so an execute with an
// unknown outcome keeps counting: the cap errs on the side of trading less.
#include <chrono>
#include <string>

#include "falcon_xecutor/claims/claim_store.h"
#include "falcon_xecutor/core/decimal.h"

namespace xecutor {

struct LedgerResult {
  enum class Verdict { Reserved, LimitReached, Failed };
  Verdict verdict = Verdict::Failed;
  Decimal total_before;  // the day's total when the decision was taken
  std::string error;     // when Failed
};

// "YYYY-MM-DD" of `t` in UTC.
std::string utc_day(std::chrono::system_clock::time_point t);
// The store key of one day's total in one quote currency.
std::string daily_notional_key(const std::string& day, const std::string& quote_token);

class DailyNotionalLedger {
 public:
  DailyNotionalLedger(ClaimStore& store, Decimal limit);
  // Adds `notional` to the day's total unless that would pass the limit.
  LedgerResult reserve(const std::string& day, const std::string& quote_token, Decimal notional);
  // Takes a reserved notional back (the execute certainly did not fill).
  LedgerResult release(const std::string& day, const std::string& quote_token, Decimal notional);
  Decimal limit() const { return limit_; }

 private:
  LedgerResult update(const std::string& day, const std::string& quote_token, Decimal notional,
                      bool add);
  ClaimStore& store_;
  Decimal limit_;
};

}  // namespace xecutor
