#pragma once
// The libcurl edge to FalconX: signs and POSTs one JSON body, and says exactly
// how far the request got, because an execute whose outcome is unknown must
// never be retried or reported as "not executed".
#include <chrono>
#include <string>

#include "service/config.h"

namespace xecutor {

struct FalconxResponse {
  enum class Transport {
    Answered,  // got an HTTP status (any)
    NotSent,   // nothing left this host (connect/TLS failed): FalconX never saw it
    Timeout,   // sent, no complete answer in time: outcome unknown
    Failed,    // sent, then the connection broke: outcome unknown
  };
  Transport transport = Transport::NotSent;
  long status = 0;
  std::string body;
  std::string error;  // curl's description when not Answered
};

class FalconxClient {
 public:
  FalconxClient(FalconxCredentials credentials, std::string base_url,
                std::chrono::milliseconds timeout);
  // Thread-safe: one curl handle per call.
  FalconxResponse post(const std::string& path, const std::string& body) const;

 private:
  FalconxCredentials credentials_;
  std::string base_url_;
  std::chrono::milliseconds timeout_;
};

}  // namespace xecutor
