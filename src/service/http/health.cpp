#include "falcon_xecutor/http/health.h"

#include <nlohmann/json.hpp>

namespace xecutor {

std::string health_body(const Identity& identity, bool halted) {
  nlohmann::ordered_json j;
  j["status"] = "ok";
  j["slot"] = identity.slot;
  j["version"] = identity.version;
  j["mode"] = identity.mode;
  j["halted"] = halted;
  return j.dump();
}

}  // namespace xecutor
