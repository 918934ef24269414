#include "falcon_xecutor/webhook/webhook_body.h"

#include "blank_trim.h"

namespace xecutor {
namespace {

constexpr std::string_view kSecretPrefix = "secret:";

}  // namespace

WebhookBody split_webhook_body(std::string_view body) {
  WebhookBody out;
  int number = 0;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    const std::size_t end = body.find('\n', pos);
    std::string_view line =
        body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    if (line.substr(0, kSecretPrefix.size()) == kSecretPrefix) {
      ++out.secret_lines;
      out.secret = std::string(trim_blanks(line.substr(kSecretPrefix.size())));
    } else if (!trim_blanks(line).empty()) {  // blank lines mean nothing, wherever they are
      out.lines.push_back({number, std::string(line)});
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  if (out.secret_lines != 1) out.secret.reset();  // two secret lines: refuse rather than pick one
  return out;
}

}  // namespace xecutor
