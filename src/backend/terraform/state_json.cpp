#include "backend/terraform/state_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "xdeploy/core/change_guard.h"

namespace xd {

namespace {

using nlohmann::json;

void collect(const json& module, std::map<std::string, json>& values_by_address) {
  if (!module.is_object()) return;
  for (const auto& r : module.value("resources", json::array()))
    if (r.is_object() && r.contains("address") && r.at("address").is_string())
      values_by_address[r.at("address").get<std::string>()] = r.value("values", json::object());
  for (const auto& child : module.value("child_modules", json::array()))
    collect(child, values_by_address);
}

std::optional<std::string> string_field(const std::map<std::string, json>& all,
                                        const std::string& address, const char* field) {
  const auto it = all.find(address);
  if (it == all.end() || !it->second.is_object()) return std::nullopt;
  const auto v = it->second.value(field, json());
  return v.is_string() ? std::optional(v.get<std::string>()) : std::nullopt;
}

}  // namespace

std::optional<StateFacts> parse_state_json(std::string_view json_text, std::string* error) {
  try {
    const auto doc = json::parse(json_text);
    if (!doc.is_object() || !doc.contains("format_version"))
      throw std::runtime_error("not a Terraform state (no format_version)");
    std::map<std::string, json> all;
    if (doc.contains("values")) collect(doc.at("values").value("root_module", json()), all);
    StateFacts facts;
    for (const Color c : {Color::Blue, Color::Green}) {
      const auto address = slot_instance_address(c);
      if (!all.count(address)) continue;
      facts.instances[c] = string_field(all, address, "name").value_or("");
      facts.public_ips[c] = string_field(all, address, "public_ip_address").value_or("");
    }
    if (all.count(kAttachmentAddress))
      facts.attached_to = string_field(all, kAttachmentAddress, "instance_name").value_or("");
    return facts;
  } catch (const std::exception& e) {
    if (error) *error = fmt::format("cannot read `terraform show -json`: {}", e.what());
    return std::nullopt;
  }
}

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
