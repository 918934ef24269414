// libFuzzer harness: the FalconX quote/execute answer reader on any bytes
// (FalconX, a proxy or an attacker on the path decides what comes back).
// Besides "no crash, no UB", it checks that a price read from the answer is
// an exact decimal whose canonical text reads back to the same value, and
// that the error-message extractor stays clipped.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "falcon_xecutor/falconx/falconx_quote.h"

namespace {
void check_round_trip(const std::optional<xecutor::Decimal>& d) {
  if (!d) return;
  const auto again = xecutor::Decimal::parse(d->to_string());
  if (!std::holds_alternative<xecutor::Decimal>(again) || std::get<xecutor::Decimal>(again) != *d)
    std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const auto parsed = xecutor::parse_falconx_quote(body);
  if (const auto* q = std::get_if<xecutor::FalconxQuote>(&parsed)) {
    if (q->fx_quote_id.empty()) std::abort();  // the reader promises an id
    check_round_trip(q->buy_price);
    check_round_trip(q->sell_price);
    check_round_trip(q->price_executed);
  }
  if (xecutor::falconx_error_message(body).size() > 210) std::abort();
  return 0;
}
