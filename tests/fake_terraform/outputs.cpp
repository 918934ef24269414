#include "outputs.h"

#include <fmt/format.h>

#include "config_model.h"
#include "provider_ops.h"

namespace fake_tf {

using nlohmann::json;

namespace {
// A string attribute, or "" when it is missing or unknown (null) in a predicted state.
std::string text(const json& attrs, const char* key) {
  auto it = attrs.find(key);
  return it != attrs.end() && it->is_string() ? it->get<std::string>() : "";
}

json string_output(const std::string& v) {
  return {{"sensitive", false}, {"type", "string"}, {"value", v}};
}
}  // namespace

json compute_outputs(const State& state, const FakeConfig& cfg) {
  json out = json::object();
  if (state.empty()) return out;
  json slots = json::object();
  json slot_types = json::object();
  std::map<std::string, std::string> color_by_instance;
  for (const Instance* inst : state.ordered()) {
    auto color = addr::slot_color(inst->addr);
    if (!color || inst->addr.type != "aws_lightsail_instance") continue;
    const auto& a = inst->attributes;
    std::string name = text(a, "name");
    color_by_instance[name] = *color;
    const auto tags = a.value("tags", json::object());
    slots[*color] = {
        {"instance_name", name},
        {"public_ip", text(a, "public_ip_address")},
        // From the instance's address as of the last refresh: while it holds the
        // static IP, its own address IS the static IP (facts §0.1).
        {"health_url", holds_static_ip(a) ? cfg.static_ip_health_url : cfg.slot(*color).health_url},
        {"build", tags.is_object() ? text(tags, "build") : ""}};
    slot_types[*color] = {"object",
                          {{"build", "string"},
                           {"health_url", "string"},
                           {"instance_name", "string"},
                           {"public_ip", "string"}}};
  }
  out["slots"] = {{"sensitive", false}, {"type", {"object", slot_types}}, {"value", slots}};
  out["current_build"] = string_output(cfg.build);
  if (const Instance* ip = state.find(addr::kStaticIp)) {
    out["static_ip"] = string_output(text(ip->attributes, "ip_address"));
    out["health_url"] = string_output(cfg.static_ip_health_url);
  }
  if (const Instance* att = state.find(addr::kAttachment)) {
    auto it = color_by_instance.find(text(att->attributes, "instance_name"));
    if (it != color_by_instance.end()) out["active"] = string_output(it->second);
  }
  return out;
}

std::string render_value(const json& value, int indent) {
  if (!value.is_object()) return value.dump();
  if (value.empty()) return "{}";
  std::string pad(static_cast<size_t>(indent) + 2, ' ');
  std::string s = "{\n";
  for (const auto& [k, v] : value.items())
    s += fmt::format("{}\"{}\" = {}\n", pad, k, render_value(v, indent + 2));
  return s + std::string(static_cast<size_t>(indent), ' ') + "}";
}

}  // namespace fake_tf
