#include "falcon_xecutor/webhook/alert_identity.h"
#include "falcon_xecutor/core/sha256_hex.h"

#include <fmt/format.h>

namespace xecutor {

std::string canonical_order_text(const Order& order) {
  // Decimal::to_string is canonical: "0.10" and "000.1" both print "0.1".
  return fmt::format("{}|{}|{}|{}|{}", side_lower(order.side), order.amount.to_string(), order.base,
                     order.expected_price.to_string(), order.quote);
}

std::string alert_identity(const Order& order, const AlertHeader& header,
                           std::chrono::system_clock::time_point received) {
  using namespace std::chrono;
  const std::string subject =
      header.id ? "id\n" + *header.id : "order\n" + canonical_order_text(order);
  const std::string moment =
      header.time
          ? fmt::format("at\n{}",
                        duration_cast<microseconds>(header.time->time_since_epoch()).count())
          : fmt::format("minute\n{}", duration_cast<minutes>(received.time_since_epoch()).count());
  // Length-prefixed parts: no subject/moment pair can be spelled as another.
  const std::string message = fmt::format("falcon-xecutor alert v1\n{}:{}\n{}:{}", subject.size(),
                                          subject, moment.size(), moment);
  return "xo-" + hex_sha256(message).substr(0, 32);
}

}  // namespace xecutor
