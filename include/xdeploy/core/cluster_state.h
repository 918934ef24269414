#pragma once
// What a backend reports about the live deployment: the Deployment plus what
// each slot looks like from outside. Read at the start of every verb.
#include <map>
#include <optional>
#include <string>

#include "xdeploy/core/deployment.h"

namespace xd {

enum class SlotLiveness {
  Unknown,  // the backend cannot tell (Terraform: the cloud knows, we do not)
  Running,
  Crashed,  // local backend: recorded as started, process gone
};

struct SlotInfo {
  Color color{};
  std::string instance_name;
  std::string public_ip;
  std::string health_url;  // direct to the slot, bypassing the static IP
  std::string build;       // the build it runs (artifact SHA-256), when the backend knows
  SlotLiveness liveness = SlotLiveness::Unknown;
  // Its address changed since the backend last looked (Lightsail: the static IP left it,
  // which gives it a new address): public_ip and health_url are empty until a refresh.
  bool address_unknown = false;
  // Why the slot cannot be used as it is, when its create or replace did not finish
  // (Terraform: a tainted instance, a missing firewall or missing outputs); empty when
  // whole. A broken slot is re-created by `teal` / `~color`, never promoted.
  std::string broken;
};

struct ClusterState {
  Deployment deployment;
  std::map<Color, SlotInfo> slots;
  std::optional<std::string> static_ip;
  std::optional<std::string> public_health_url;  // through the static IP / router
  std::optional<std::string> current_build;      // what a slot created or replaced now would run
  // The backend knows nothing serves the public address (local: the router
  // process is gone). Then no color is active: the IP is "attached to neither".
  bool public_endpoint_down = false;

  // A slot built from an older artifact than the current one.
  bool stale(Color c) const {
    const SlotInfo* s = slot(c);
    return s && current_build && !s->build.empty() && s->build != *current_build;
  }

  const SlotInfo* slot(Color c) const {
    auto it = slots.find(c);
    return it == slots.end() ? nullptr : &it->second;
  }
};

}  // namespace xd
