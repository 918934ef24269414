#pragma once
// Splits a webhook body into its numbered lines and the `secret: ...` line.
// TradingView cannot sign requests, so the shared secret travels inside the
// alert text; it is taken out here before anything else looks at the body.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xecutor {

struct BodyLine {
  int number = 0;    // 1-based line number in the body as sent
  std::string text;  // without the line ending (\n or \r\n)
};

struct WebhookBody {
  // Every line except the secret line(s) and blank (spaces/tabs only) lines:
  // a blank line is ignored wherever it is, before id: as before secret:.
  std::vector<BodyLine> lines;
  std::optional<std::string> secret;  // set only when exactly one secret line is present
  int secret_lines = 0;
};

WebhookBody split_webhook_body(std::string_view body);

}  // namespace xecutor
