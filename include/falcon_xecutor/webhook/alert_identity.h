#pragma once
// Which alert this is, independent of how its bytes were written: the key the
// whole service deduplicates on (the in-process window, the shared claim that
// blue, green and restarts respect) and the FalconX client_order_id.
//
//   identity = "xo-" + first 32 hex of SHA-256(subject, moment)
//   subject  = the `id:` line if present, else the parsed order in canonical
//              form (side, amount, base, price, quote; numbers without
//              redundant zeros), so whitespace, CRLF or "0.10" vs "0.1"
//              variants of one order are one alert;
//   moment   = the `time:` instant if present, else the minute the alert was
//              received (UTC), so the same order placed again next minute is
//              a new alert.
// A hash, not the id itself: the result is always a safe object key and
// client_order_id, whatever the strategy names its orders.
#include <chrono>
#include <string>

#include "falcon_xecutor/webhook/alert_header.h"
#include "falcon_xecutor/webhook/order.h"

namespace xecutor {

// "side|amount|base|price|quote" with canonical numbers: the order as a value.
std::string canonical_order_text(const Order& order);

std::string alert_identity(const Order& order, const AlertHeader& header,
                           std::chrono::system_clock::time_point received);

}  // namespace xecutor
