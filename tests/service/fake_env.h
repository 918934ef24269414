#pragma once
// Test support: an environment made of a map, for the config readers
// (load_config, load_claim_store_settings), so no test touches the process's own.
#include <map>
#include <optional>
#include <string>

#include "falcon_xecutor/claims/claim_store_config.h"

namespace xd::testing {

inline xecutor::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace xd::testing
