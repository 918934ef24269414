#include "falcon_xecutor/falconx/execution_check.h"

#include "falcon_xecutor/risk/tolerance.h"

namespace xecutor {
namespace {

const std::string kMissing = "(missing)";

std::string text_or_missing(const std::optional<Decimal>& d) {
  return d ? d->to_string() : kMissing;
}

}  // namespace

std::vector<Mismatch> execution_mismatches(const ExpectedExecution& e, const FalconxQuote& a) {
  std::vector<Mismatch> out;
  if (a.fx_quote_id != e.fx_quote_id) out.push_back({"fx_quote_id", e.fx_quote_id, a.fx_quote_id});
  if (a.side_executed != side_lower(e.side))
    out.push_back({"side_executed", side_lower(e.side),
                   a.side_executed.empty() ? kMissing : a.side_executed});
  if (!a.quantity || *a.quantity != e.amount)
    out.push_back({"quantity", e.amount.to_string(), text_or_missing(a.quantity)});
  if (!a.price_executed || a.price_executed->is_zero() ||
      !within_limit(e.side, *a.price_executed, e.limit))
    out.push_back({"price_executed", (e.side == Side::Buy ? "<= " : ">= ") + e.limit.to_string(),
                   text_or_missing(a.price_executed)});
  return out;
}

nlohmann::ordered_json mismatch_json(const std::vector<Mismatch>& mismatches) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& m : mismatches)
    out.push_back({{"field", m.field}, {"expected", m.expected}, {"got", m.got}});
  return out;
}

}  // namespace xecutor
