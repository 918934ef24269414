#include "provider_ops.h"

#include <fmt/format.h>

#include <functional>

#include "clock_ids.h"
#include "config_model.h"
#include "http_check.h"

namespace fake_tf {

using nlohmann::json;

json provider_apply(const Change& c, json after, const State& state, const FakeConfig& cfg) {
  const std::string& type = c.addr.type;
  if (type == "aws_lightsail_instance") {
    after["id"] = after.value("name", "");
    if (c.action != Action::Update) {
      after["arn"] = "arn:aws:lightsail:us-east-1:000000000000:Instance/" + random_uuid();
      after["created_at"] = rfc3339_nano_now();
      after["public_ip_address"] = cfg.slot(addr::slot_color(c.addr).value_or("")).public_ip;
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

DataRead read_health(const json& config, const FakeConfig& cfg) {
  const std::string url = config.value("url", "");
  HttpOutcome r =
      http_get(url, {cfg.health_attempts, cfg.health_retry_delay_ms, cfg.health_timeout_ms});
  if (!r.ok)
    return {json(), Diagnostic{"error", "Error making request", r.error, addr::kHealthData}};
  json attrs = config;
  attrs["id"] = url;
  attrs["status_code"] = r.status_code;
  attrs["response_body"] = r.body;
  attrs["response_headers"] = r.headers;
  return {attrs, std::nullopt};
}

std::optional<Diagnostic> check_health_precondition(const json& data, const FakeConfig& cfg) {
  if (data.value("status_code", 0) == cfg.expected_status) return std::nullopt;
  return Diagnostic{
      "error", "Resource precondition failed",
      fmt::format("  on modules/upgrade/main.tf line 14, in resource \"terraform_data\" "
                  "\"healthy\":\n  14:       condition     = data.http.health.status_code == "
                  "var.expected_status\n    ├────────────────\n    │ "
                  "data.http.health.status_code is {}\n\nHealth check failed; static IP not moved.",
                  data.value("status_code", 0)),
      addr::kHealthy};
}

std::string resource_id(const json& attributes) {
  if (attributes.is_object() && attributes.contains("id") && attributes["id"].is_string())
    return attributes["id"];
  return "";
}

}  // namespace fake_tf
