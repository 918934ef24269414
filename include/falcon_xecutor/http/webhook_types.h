#pragma once
// What the HTTP edge hands to the webhook flow and gets back. Plain data, so
// the flow can be driven without a socket.
#include <string>

namespace xecutor {

struct WebhookRequest {
  std::string peer;       // socket peer address
  std::string x_real_ip;  // header values, empty when absent; believed only from trusted proxies
  std::string x_forwarded_for;
  std::string body;
};

struct WebhookReply {
  int status = 500;
  std::string body;     // JSON
  std::string outcome;  // short word for the log line
  std::string quote_id;
  std::string client;  // the address the decision was made on
};

}  // namespace xecutor
