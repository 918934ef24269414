#pragma once
// The one way xdeploy reads the Terraform state: a state document (`terraform state pull`,
// or the refreshed state inside a saved plan) -> ClusterState. It guarantees a state that
// says only what it knows:
// - which slots exist, and which one holds the static IP, come from the resources (each
//   resource operation is persisted as it completes; root outputs are re-evaluated only by
//   a complete apply, so they lag after a failed or interrupted one);
// - a slot's address follows Lightsail's rule (terraform-facts.md 0.1): the instance that
//   holds the static IP answers on it; an instance the static IP left since its last
//   refresh has a new address nobody has read yet, so it is reported unknown, never the
//   stale one (unless this read refreshed it just now: then the instance that says it
//   holds the static IP does, recorded attachment or not); otherwise the address as of the
//   last refresh;
// - a slot whose create or replace did not finish (tainted instance, no firewall, missing
//   outputs) is marked broken, with why;
// - what only outputs carry (each slot's health URL scheme, port and path, the current
//   build) comes from the outputs.
#include <optional>
#include <string>
#include <vector>

#include "state_json.h"
#include "xdeploy/core/cluster_state.h"

namespace xd {

struct StateReading {
  ClusterState state;
  std::vector<std::string> notes;  // where the outputs disagreed with the resources
};

// nullopt (with `error`) when the outputs are not the contract's.
std::optional<StateReading> read_cluster_state(const StateFacts& facts, std::string* error);

// `url` with its host replaced ("http://1.2.3.4:8080/health", "5.6.7.8" ->
// "http://5.6.7.8:8080/health"); empty when `url` has no scheme.
std::string with_host(const std::string& url, const std::string& host);

}  // namespace xd
