#include "provider_ops.h"

#include <fmt/format.h>

#include <functional>

#include "clock_ids.h"
#include "config_model.h"

namespace fake_tf {

using nlohmann::json;

json provider_apply(const Change& c, json after, const State& state, const FakeConfig& cfg) {
  const std::string& type = c.addr.type;
  if (type == "aws_lightsail_instance") {
    after["id"] = after.value("name", "");
    if (c.action != Action::Update) {
      after["arn"] = "arn:aws:lightsail:us-east-1:000000000000:Instance/" + random_uuid();
      after["created_at"] = rfc3339_nano_now();
      // A new instance has its own dynamic address, never the static IP.
      after["public_ip_address"] = cfg.slot(addr::slot_color(c.addr).value_or("")).public_ip;
      after["is_static_ip"] = false;
    }
  } else if (type == "aws_lightsail_instance_public_ports") {
    auto hash = std::hash<std::string>{}(after.value("port_info", json()).dump()) % 1000000000;
    after["id"] = fmt::format("{}-{}", after.value("instance_name", ""), hash);
  } else if (type == "aws_lightsail_static_ip") {
    after["id"] = after.value("name", "");
    after["arn"] = "arn:aws:lightsail:us-east-1:000000000000:StaticIp/" + random_uuid();
    after["ip_address"] = cfg.static_ip_address;
    after["support_code"] = "000000000000/" + cfg.static_ip_address;
  } else if (type == "terraform_data") {
    if (!after.contains("id")) after["id"] = random_uuid();
    after["output"] = after.value("input", json());
  } else if (type == "aws_lightsail_static_ip_attachment") {
    after["id"] = after.value("static_ip_name", "");
    const Instance* ip = state.find(addr::kStaticIp);
    after["ip_address"] = ip ? ip->attributes.value("ip_address", "") : "";
  }
  return after;
}

bool refresh_instance(Instance& instance, const State& state, const FakeConfig& cfg) {
  if (instance.addr.type != "aws_lightsail_instance") return false;
  const Instance* attachment = state.find(addr::kAttachment);
  const bool holds = attachment && attachment->attributes.value("instance_name", "") ==
                                       instance.attributes.value("name", "");
  const json before = instance.attributes;
  instance.attributes["is_static_ip"] = holds;
  instance.attributes["public_ip_address"] =
      holds ? cfg.static_ip_address
            : cfg.slot(addr::slot_color(instance.addr).value_or("")).public_ip;
  return instance.attributes != before;
}

bool holds_static_ip(const json& a) {
  auto it = a.find("is_static_ip");
  return it != a.end() && it->is_boolean() && it->get<bool>();
}

std::string resource_id(const json& attributes) {
  if (attributes.is_object() && attributes.contains("id") && attributes["id"].is_string())
    return attributes["id"];
  return "";
}

}  // namespace fake_tf
