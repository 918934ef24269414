#pragma once
// What the HTTP edge hands to the webhook flow and gets back. Plain data, so
// the flow can be driven without a socket.
#include <chrono>
#include <string>

namespace xecutor {

struct WebhookRequest {
  std::string peer;       // socket peer address
  std::string x_real_ip;  // header values, empty when absent; believed only from trusted proxies
  std::string x_forwarded_for;
  std::string body;
  // When the connection was accepted (the first request on it) or the request
  // began to arrive (later ones): the alert's deadline counts from here, so
  // time spent waiting for a worker is part of it. Default: when handled.
  std::chrono::steady_clock::time_point accepted_at{};
};

struct WebhookReply {
  int status = 500;
  std::string body;     // JSON
  std::string outcome;  // short word for the log line
  std::string quote_id;
  std::string client;  // the address the decision was made on
};

}  // namespace xecutor
