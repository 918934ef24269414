#include "state_json.h"

#include <fmt/format.h>

namespace xd {

std::vector<std::string> reconcile(ClusterState& state, const StateFacts& facts) {
  std::vector<std::string> corrections;
  for (auto it = state.slots.begin(); it != state.slots.end();) {
    if (facts.instances.count(it->first)) {
      ++it;
      continue;
    }
    corrections.push_back(fmt::format("{} has no instance in the state", to_string(it->first)));
    it = state.slots.erase(it);
  }
  for (const auto& [c, name] : facts.instances) {
    if (state.slots.count(c)) continue;
    // Real Terraform after a cleanup whose DeleteInstance failed: `slots` iterates the
    // configured colors only, so it forgets an instance that still runs and that the next
    // cleanup must delete. What a status needs of it is in the state; its health URL is not.
    corrections.push_back(
        fmt::format("{} is missing from the outputs but its instance {} is in the state",
                    to_string(c), name.empty() ? "(unnamed)" : name));
    SlotInfo slot;
    slot.color = c;
    slot.instance_name = name;
    const auto ip = facts.public_ips.find(c);
    if (ip != facts.public_ips.end()) slot.public_ip = ip->second;
    state.slots[c] = slot;
  }
  std::optional<Color> active;
  if (facts.attached_to)
    for (const auto& [c, name] : facts.instances)
      if (!name.empty() && name == *facts.attached_to && state.slots.count(c)) active = c;
  if (active != state.deployment.active)
    corrections.push_back(fmt::format(
        "the outputs say the static IP is attached to {}, the state says {}",
        state.deployment.active ? std::string(to_string(*state.deployment.active)) : "nothing",
        active ? std::string(to_string(*active)) : "nothing"));
  Deployment d;
  d.active = active;
  for (const auto& [c, _] : state.slots) {
    if (d.is_active(c)) continue;
    if (d.inactive) {  // two slots, no attachment: say so, do not guess
      d.inactive.reset();
      d.detached_pair = true;
      break;
    }
    d.inactive = c;
  }
  state.deployment = d;
  return corrections;
}

}  // namespace xd
