#pragma once
// The optional `id:` and `time:` lines of an alert, filled by TradingView
// placeholders (see README "Alert template"):
//   id: {{strategy.order.id}}     who the alert is, in the strategy's words
//   time: {{timenow}}             when it fired, ISO 8601 UTC ("2024-05-01T12:00:05Z")
// They are taken out of the body lines before the order is parsed, so the
// order lines keep their original format, and each may appear at most once.
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "falcon_xecutor/webhook/order.h"
#include "falcon_xecutor/webhook/webhook_body.h"

namespace xecutor {

struct AlertHeader {
  std::optional<std::string> id;  // 1-64 printable ASCII characters, trimmed
  std::optional<std::chrono::system_clock::time_point> time;
};

struct AlertHeaderParse {
  AlertHeader header;
  std::vector<BodyLine> order_lines;  // every other line, in order
};

// The header and the remaining lines, or the first bad `id:`/`time:` line.
std::variant<AlertHeaderParse, OrderError> take_alert_header(const std::vector<BodyLine>& lines);

}  // namespace xecutor
