#include "request_log.h"

#include <nlohmann/json.hpp>

namespace xecutor {

nlohmann::ordered_json request_fields(const RequestRecord& r) {
  nlohmann::ordered_json j;
  j["event"] = "request";
  j["peer"] = r.peer;
  if (!r.client.empty() && r.client != r.peer) j["client"] = r.client;
  j["method"] = r.method;
  j["path"] = r.path;
  j["status"] = r.status;
  j["outcome"] = r.outcome;
  if (!r.quote_id.empty()) j["quote_id"] = r.quote_id;
  if (r.latency.count() >= 0)
    j["latency_ms"] = static_cast<double>(r.latency.count()) / 1000.0;
  else
    j["latency_ms"] = nullptr;
  return j;
}

}  // namespace xecutor
