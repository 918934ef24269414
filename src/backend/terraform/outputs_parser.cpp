#include "outputs_parser.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace xd {
namespace {

using nlohmann::json;

struct Fail {
  std::string reason;
};

// The "value" of one output, or null when the output is absent.
json value_of(const json& outputs, const char* name) {
  if (!outputs.contains(name)) return nullptr;
  const auto& o = outputs.at(name);
  if (!o.is_object() || !o.contains("value"))
    throw Fail{fmt::format("output \"{}\" has no value", name)};
  return o.at("value");
}

std::optional<std::string> optional_string(const json& outputs, const char* name) {
  const json v = value_of(outputs, name);
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) throw Fail{fmt::format("output \"{}\" is not a string", name)};
  return v.get<std::string>();
}

Color color_named(const std::string& text, const char* where) {
  auto c = parse_color(text);
  if (!c)
    throw Fail{fmt::format("{} names unknown color \"{}\" (expected blue or green)", where, text)};
  return *c;
}

// A field the module always sets once the slot is whole. Missing or null: the slot is
// half-built (its create did not finish, or the object was deleted outside Terraform and
// refreshed away), which is a state to report, not an output to give up on.
std::string slot_field(const json& slot, const char* field, Color c, SlotInfo& info) {
  if (!slot.contains(field) || slot.at(field).is_null()) {
    if (info.broken.empty()) info.broken = fmt::format("its output `{}` is missing", field);
    return "";
  }
  if (!slot.at(field).is_string())
    throw Fail{fmt::format("slots.{}.{} is not a string", to_string(c), field)};
  return slot.at(field).get<std::string>();
}

std::map<Color, SlotInfo> parse_slots(const json& outputs) {
  std::map<Color, SlotInfo> slots;
  const json v = value_of(outputs, "slots");
  if (v.is_null()) return slots;
  if (!v.is_object()) throw Fail{"output \"slots\" is not an object"};
  for (const auto& [key, slot] : v.items()) {
    const Color c = color_named(key, "output \"slots\"");
    if (!slot.is_object()) throw Fail{fmt::format("slots.{} is not an object", key)};
    SlotInfo info;
    info.color = c;
    info.instance_name = slot_field(slot, "instance_name", c, info);
    info.public_ip = slot.contains("public_ip") && slot.at("public_ip").is_string()
                         ? slot.at("public_ip").get<std::string>()
                         : "";
    info.health_url = slot_field(slot, "health_url", c, info);
    if (slot.contains("build") && slot.at("build").is_string())
      info.build = slot.at("build").get<std::string>();
    slots[c] = info;
  }
  return slots;
}

ClusterState to_state(const json& outputs) {
  if (!outputs.is_object()) throw Fail{"expected a JSON object"};
  ClusterState state;
  state.slots = parse_slots(outputs);
  if (auto active = optional_string(outputs, "active")) {
    const Color c = color_named(*active, "output \"active\"");
    if (!state.slots.count(c))
      throw Fail{
          fmt::format("output \"active\" is {} but \"slots\" has no {} slot", *active, *active)};
    state.deployment.active = c;
  }
  for (const auto& [c, _] : state.slots)
    if (!state.deployment.is_active(c)) {
      if (state.deployment.inactive) {  // two slots, no IP: say so, do not guess
        state.deployment.inactive.reset();
        state.deployment.detached_pair = true;
        break;
      }
      state.deployment.inactive = c;
    }
  state.static_ip = optional_string(outputs, "static_ip");
  state.public_health_url = optional_string(outputs, "health_url");
  state.current_build = optional_string(outputs, "current_build");
  return state;
}

}  // namespace

std::optional<ClusterState> parse_outputs(std::string_view json_text, OutputsError* error) {
  try {
    return to_state(json::parse(json_text));
  } catch (const json::exception& e) {
    if (error) error->reason = fmt::format("malformed JSON: {}", e.what());
  } catch (const Fail& f) {
    if (error) error->reason = f.reason;
  }
  return std::nullopt;
}

}  // namespace xd
