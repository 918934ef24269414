#pragma once
// Test support: an environment made of a map, for whatever reads variables through a lookup
// function (the service's load_config and load_claim_store_settings, xdeploy's S3 credentials,
// remote state and CI job readers), so no test touches the process's own.
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace xd::testing {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

inline EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace xd::testing
