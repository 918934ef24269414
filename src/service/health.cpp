#include "service/health.h"

#include <nlohmann/json.hpp>

namespace xecutor {

std::string health_body(const Identity& identity) {
  nlohmann::ordered_json j;
  j["status"] = "ok";
  j["slot"] = identity.slot;
  j["version"] = identity.version;
  j["mode"] = identity.mode;
  return j.dump();
}

}  // namespace xecutor
