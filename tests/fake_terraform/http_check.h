#pragma once
// The data "http" read: a real GET with libcurl, retried like terraform-provider-http (transport
// errors and 5xx other than 501). A non-2xx status is a result, not an error (facts §5.6).
#include <map>
#include <string>

namespace fake_tf {

struct HttpOutcome {
  bool ok = false;  // a response arrived
  int status_code = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string error;  // provider-style error text when !ok
};

struct HttpRetry {
  int attempts = 3;
  int delay_ms = 200;
  int timeout_ms = 2000;
};

// Honors interrupts: the first stops retrying, the second aborts the transfer.
HttpOutcome http_get(const std::string& url, const HttpRetry& retry);

}  // namespace fake_tf
