// libFuzzer harness: the whole alert parser on any bytes, as the webhook does
// it (split the body and the secret line, take the id:/time: header, parse the
// order, derive the identity). Besides "no crash, no UB", it checks the
// properties exactly-once relies on: an order that parses has a canonical text
// that is a fixed point (re-parsing the canonical numbers gives them back),
// and its identity has the fixed "xo-" + 32 hex shape (a safe object key).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "falcon_xecutor/webhook/alert_header.h"
#include "falcon_xecutor/webhook/alert_identity.h"
#include "falcon_xecutor/webhook/order.h"
#include "falcon_xecutor/webhook/webhook_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const xecutor::WebhookBody body = xecutor::split_webhook_body(text);
  const auto header = xecutor::take_alert_header(body.lines);
  const auto* parts = std::get_if<xecutor::AlertHeaderParse>(&header);
  if (parts == nullptr) return 0;
  const auto parsed = xecutor::parse_order(parts->order_lines);
  const auto* order = std::get_if<xecutor::Order>(&parsed);
  if (order == nullptr) return 0;
  for (const auto& d : {order->amount, order->expected_price}) {
    const auto again = xecutor::Decimal::parse(d.to_string());
    if (!std::holds_alternative<xecutor::Decimal>(again) || std::get<xecutor::Decimal>(again) != d)
      std::abort();
  }
  const std::string id =
      xecutor::alert_identity(*order, parts->header, std::chrono::system_clock::time_point{});
  if (id.size() != 35 || id.rfind("xo-", 0) != 0 ||
      id.find_first_not_of("0123456789abcdef", 3) != std::string::npos)
    std::abort();
  return 0;
}
