#pragma once
// One structured JSON line per request. Holds only what is safe to log: never
// the webhook body, never a secret.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace xecutor {

struct RequestRecord {
  std::string peer;  // the socket peer (and the believed client when it differs)
  std::string client;
  std::string method;
  std::string path;
  int status = 0;
  std::string outcome;   // e.g. "health", "executed", "quoted", "duplicate", "bad_secret"
  std::string quote_id;  // FalconX fx_quote_id when one was obtained
  std::chrono::microseconds latency{-1};  // negative: unknown
};

// The fields of the line; log_event() adds time and level.
nlohmann::ordered_json request_fields(const RequestRecord& record);

}  // namespace xecutor
