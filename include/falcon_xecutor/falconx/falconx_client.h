#pragma once
// The libcurl edge to FalconX: signs and POSTs one JSON body, and says exactly
// how far the request got, because an execute whose outcome is unknown must
// never be retried or reported as "not executed".
#include <chrono>
#include <functional>
#include <string>

namespace xecutor {

struct FalconxCredentials {
  std::string api_key;
  std::string secret_key;  // Base64, as issued
  std::string passphrase;
  bool complete() const { return !api_key.empty() && !secret_key.empty() && !passphrase.empty(); }
};

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

// Told about every call once it is over (for latency metrics).
using FalconxObserver =
    std::function<void(const std::string& method, const std::string& path,
                       const FalconxResponse& response, std::chrono::duration<double> latency)>;

class FalconxClient {
 public:
  FalconxClient(FalconxCredentials credentials, std::string base_url,
                FalconxObserver observer = {});
  // Thread-safe: one curl handle per call. `timeout` covers connect + answer:
  // the caller gives each call what is left of its alert's deadline.
  FalconxResponse post(const std::string& path, const std::string& body,
                       std::chrono::milliseconds timeout) const;
  FalconxResponse get(const std::string& path, std::chrono::milliseconds timeout) const;

 private:
  FalconxResponse call(const std::string& method, const std::string& path, const std::string& body,
                       std::chrono::milliseconds timeout) const;
  FalconxResponse perform(const std::string& method, const std::string& path,
                          const std::string& body, std::chrono::milliseconds timeout) const;
  FalconxCredentials credentials_;
  std::string base_url_;
  FalconxObserver observer_;
};

}  // namespace xecutor
