#include "state_reader.h"

#include <fmt/format.h>

#include "outputs_parser.h"

namespace xd {

std::string with_host(const std::string& url, const std::string& host) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  const auto host_start = scheme_end + 3;
  const auto host_end = url.find_first_of(":/", host_start);
  return url.substr(0, host_start) + host +
         (host_end == std::string::npos ? "" : url.substr(host_end));
}

namespace {

// Why a slot cannot be used as it is, from its resources; empty when whole.
std::string broken_by_resources(const StateFacts& facts, Color c) {
  if (facts.tainted.count(c)) return "its instance did not finish being created (tainted)";
  if (!facts.firewalls.count(c)) return "its firewall (public ports) was never created";
  return "";
}

// Lightsail's address rule on one slot; see the header. `public_url`: the module's URL
// through the static IP (the active slot's scheme, port and path on the static IP).
void settle_address(SlotInfo& slot, const StateFacts& facts,
                    const std::optional<std::string>& public_url) {
  const bool attached = facts.attached_to && *facts.attached_to == slot.instance_name;
  const auto held = facts.held_static_ip.find(slot.color);
  const bool held_at_refresh = held != facts.held_static_ip.end() && held->second;
  const auto recorded = facts.public_ips.find(slot.color);
  std::string address;
  if (attached && facts.static_ip && !facts.static_ip->empty())
    address = *facts.static_ip;
  else if (!attached && held_at_refresh && !facts.read_now.count(slot.color))
    slot.address_unknown = true;  // the static IP left it: a new address, not yet read
  else if (recorded != facts.public_ips.end())
    address = recorded->second;
  slot.public_ip = address;
  if (address.empty()) {
    slot.health_url.clear();
    return;
  }
  if (attached && public_url && !public_url->empty()) {
    slot.health_url = *public_url;  // it answers on the static IP, as the module says
    return;
  }
  // Scheme, port and path are the slot's own (frozen at creation); only the host moves.
  if (!slot.health_url.empty()) slot.health_url = with_host(slot.health_url, address);
}

}  // namespace

std::optional<StateReading> read_cluster_state(const StateFacts& facts, std::string* error) {
  OutputsError outputs_error;
  auto parsed = parse_outputs(facts.outputs_json, &outputs_error);
  if (!parsed) {
    if (error) *error = "the state's outputs: " + outputs_error.reason;
    return std::nullopt;
  }
  StateReading reading{std::move(*parsed), {}};
  ClusterState& state = reading.state;
  reading.notes = reconcile(state, facts);
  if (facts.static_ip && !facts.static_ip->empty()) state.static_ip = facts.static_ip;
  // The public URL is the active slot's scheme, port and path on the static IP.
  if (state.deployment.active && state.static_ip) {
    const auto* active = state.slot(*state.deployment.active);
    const std::string base =
        state.public_health_url ? *state.public_health_url : (active ? active->health_url : "");
    const auto url = with_host(base, *state.static_ip);
    if (!url.empty()) state.public_health_url = url;
  }
  for (auto& [color, slot] : state.slots) {
    if (slot.broken.empty()) slot.broken = broken_by_resources(facts, color);
    if (slot.health_url.empty() && slot.broken.empty())
      slot.broken = "its health URL is missing from the outputs";
    settle_address(slot, facts, state.public_health_url);
  }
  return reading;
}

}  // namespace xd
