#include "state_pull.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "terraform_addresses.h"

namespace xd {

namespace {

using nlohmann::json;

const json& required(const json& object, const char* key, json::value_t type, const char* what) {
  if (!object.contains(key) || object.at(key).type() != type)
    throw std::runtime_error(fmt::format("{} has no {} `{}`", what,
                                         type == json::value_t::array ? "array" : "string", key));
  return object.at(key);
}

// The instance address Terraform prints (`module.slot["blue"].aws_lightsail_instance.this`)
// from the pieces the raw state keeps apart. index_key is a string (for_each) or a
// number (count); both print as JSON inside the brackets.
std::string instance_address(const json& resource, const json& instance) {
  std::string address;
  if (resource.contains("module") && resource.at("module").is_string())
    address = resource.at("module").get<std::string>() + ".";
  if (resource.value("mode", "") == "data") address += "data.";
  address += required(resource, "type", json::value_t::string, "a resource").get<std::string>();
  address += ".";
  address += required(resource, "name", json::value_t::string, "a resource").get<std::string>();
  if (instance.contains("index_key")) address += "[" + instance.at("index_key").dump() + "]";
  return address;
}

struct Instances {
  std::map<std::string, json> attributes;  // every instance's attributes by address
  std::set<std::string> managed;
  std::set<std::string> tainted;
};

Instances instances_of(const json& doc) {
  Instances all;
  if (!doc.contains("resources") || doc.at("resources").is_null()) return all;
  for (const auto& r : required(doc, "resources", json::value_t::array, "the state")) {
    if (!r.is_object()) throw std::runtime_error("a resource is not an object");
    for (const auto& i : required(r, "instances", json::value_t::array, "a resource")) {
      if (!i.is_object()) throw std::runtime_error("a resource instance is not an object");
      const auto address = instance_address(r, i);
      all.attributes[address] = i.value("attributes", json::object());
      if (r.value("mode", "managed") == "managed") all.managed.insert(address);
      // A create or replace that failed half-way leaves its object "tainted" (v4 `status`).
      if (i.value("status", "") == "tainted") all.tainted.insert(address);
    }
  }
  return all;
}

std::string string_attribute(const std::map<std::string, json>& all, const std::string& address,
                             const char* field) {
  const auto& attributes = all.at(address);
  if (!attributes.is_object()) return "";
  const auto v = attributes.value(field, json());
  return v.is_string() ? v.get<std::string>() : "";
}

}  // namespace

std::optional<StateFacts> parse_state_pull(std::string_view raw_state, std::string* error) {
  try {
    if (raw_state.find_first_not_of(" \t\r\n") == std::string_view::npos) return StateFacts{};
    const auto doc = json::parse(raw_state);
    if (!doc.is_object() || !doc.contains("version"))
      throw std::runtime_error("not a Terraform state (no `version`)");
    const auto& version = doc.at("version");
    if (version != 4)
      throw std::runtime_error(fmt::format(
          "state format version {} (xdeploy reads version 4)",
          version.is_number_integer() ? version.dump() : std::string("that is not a number")));
    const auto parsed = instances_of(doc);
    const auto& all = parsed.attributes;
    StateFacts facts;
    facts.managed = parsed.managed;
    for (const Color c : {Color::Blue, Color::Green}) {
      const auto address = slot_instance_address(c);
      if (!all.count(address)) continue;
      facts.instances[c] = string_attribute(all, address, "name");
      facts.public_ips[c] = string_attribute(all, address, "public_ip_address");
      const auto& attributes = all.at(address);
      facts.held_static_ip[c] =
          attributes.is_object() && attributes.value("is_static_ip", json()) == true;
      if (parsed.tainted.count(address)) facts.tainted.insert(c);
      if (all.count(slot_address(c) + ".aws_lightsail_instance_public_ports.this"))
        facts.firewalls.insert(c);
    }
    if (all.count(kAttachmentAddress))
      facts.attached_to = string_attribute(all, kAttachmentAddress, "instance_name");
    if (all.count(kStaticIpAddress))
      facts.static_ip = string_attribute(all, kStaticIpAddress, "ip_address");
    const auto outputs = doc.value("outputs", json::object());
    if (!outputs.is_object()) throw std::runtime_error("the state's `outputs` is not an object");
    facts.outputs_json = outputs.dump();
    return facts;
  } catch (const json::parse_error& e) {
    // Not e.what(): its "last read" quotes the input, and the input holds secrets.
    if (error)
      *error =
          fmt::format("cannot read `terraform state pull`: not JSON (error at byte {})", e.byte);
    return std::nullopt;
  } catch (const std::exception& e) {
    if (error) *error = fmt::format("cannot read `terraform state pull`: {}", e.what());
    return std::nullopt;
  }
}

}  // namespace xd
