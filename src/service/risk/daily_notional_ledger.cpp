#include "falcon_xecutor/risk/daily_notional_ledger.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace xecutor {
namespace {

using Verdict = LedgerResult::Verdict;
// Each conflict means another slot's trade landed first; a handful of trades
// racing on one key resolve within a few rounds.
constexpr int kMaxRounds = 16;

struct DayTotal {
  Decimal total;
  long trades = 0;
};

std::variant<DayTotal, std::string> parse_total(const std::string& content) {
  const auto j = nlohmann::json::parse(content, nullptr, false);
  if (!j.is_object() || !j.contains("total") || !j["total"].is_string())
    return "the ledger object is not {\"total\":\"<decimal>\",...}";
  const auto total = Decimal::parse(j["total"].get<std::string>());
  if (const auto* why = std::get_if<std::string>(&total)) return "ledger total: " + *why;
  return DayTotal{std::get<Decimal>(total), j.value("trades", 0L)};
}

std::string total_content(const std::string& day, const std::string& quote, const DayTotal& t) {
  nlohmann::ordered_json j{
      {"day", day}, {"quote", quote}, {"total", t.total.to_string()}, {"trades", t.trades}};
  return j.dump();
}

LedgerResult failed(std::string why) {
  LedgerResult r;
  r.error = std::move(why);
  return r;
}

}  // namespace

std::string utc_day(std::chrono::system_clock::time_point t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::string daily_notional_key(const std::string& day, const std::string& quote_token) {
  return "daily-notional/" + day + "/" + quote_token;
}

DailyNotionalLedger::DailyNotionalLedger(ClaimStore& store, Decimal limit)
    : store_(store), limit_(limit) {}

LedgerResult DailyNotionalLedger::reserve(const std::string& day, const std::string& quote_token,
                                          Decimal notional) {
  return update(day, quote_token, notional, true);
}

LedgerResult DailyNotionalLedger::release(const std::string& day, const std::string& quote_token,
                                          Decimal notional) {
  return update(day, quote_token, notional, false);
}

LedgerResult DailyNotionalLedger::update(const std::string& day, const std::string& quote_token,
                                         Decimal notional, bool add) {
  const std::string key = daily_notional_key(day, quote_token);
  for (int round = 0; round < kMaxRounds; ++round) {
    const StoreRead current = store_.read(key);
    if (current.outcome == StoreRead::Outcome::Failed) return failed(current.error);
    DayTotal before;
    if (current.outcome == StoreRead::Outcome::Found) {
      const auto parsed = parse_total(current.content);
      if (const auto* why = std::get_if<std::string>(&parsed)) return failed(key + ": " + *why);
      before = std::get<DayTotal>(parsed);
    }
    DayTotal after = before;
    if (add) {
      const auto sum = before.total.plus(notional);
      if (!sum || *sum > limit_) {
        LedgerResult r;
        r.verdict = Verdict::LimitReached;
        r.total_before = before.total;
        return r;
      }
      after.total = *sum;
      ++after.trades;
    } else {
      // A release never takes the total below zero (a ledger edited by hand).
      after.total = before.total.minus(notional).value_or(Decimal{});
      after.trades = std::max(0L, before.trades - 1);
    }
    const std::string content = total_content(day, quote_token, after);
    const StoreWrite w = current.outcome == StoreRead::Outcome::Found
                             ? store_.replace(key, content, current.version)
                             : store_.create(key, content);
    if (w.outcome == StoreWrite::Outcome::Failed) return failed(w.error);
    if (w.outcome == StoreWrite::Outcome::Written) {
      LedgerResult r;
      r.verdict = Verdict::Reserved;
      r.total_before = before.total;
      return r;
    }
  }
  return failed(key + ": still changing after " + std::to_string(kMaxRounds) + " attempts");
}

}  // namespace xecutor
