#include "config_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace fake_tf {

using nlohmann::json;

namespace addr {
std::string slot_module(const std::string& color) {
  return fmt::format("module.slot[\"{}\"]", color);
}
std::string slot_instance(const std::string& color) {
  return slot_module(color) + ".aws_lightsail_instance.this";
}
std::string slot_ports(const std::string& color) {
  return slot_module(color) + ".aws_lightsail_instance_public_ports.this";
}
std::optional<std::string> slot_color(const Address& a) {
  if (a.modules.empty() || a.modules[0].name != "slot" || !a.modules[0].key) return std::nullopt;
  const std::string& k = *a.modules[0].key;
  if (k.size() < 2 || k.front() != '"') return std::nullopt;
  return k.substr(1, k.size() - 2);
}
}  // namespace addr

namespace {
constexpr const char* kAws = "registry.terraform.io/hashicorp/aws";
constexpr const char* kBuiltin = "terraform.io/builtin/terraform";
const std::set<std::string> kColors{"blue", "green"};

Address must_parse(const std::string& s) {
  return *parse_address(s);
}

DesiredResource resource(Address a, const char* provider) {
  DesiredResource r;
  r.addr = std::move(a);
  r.provider = provider;
  return r;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

DesiredResource slot_instance(const std::string& color, const FakeConfig& cfg,
                              const SlotSettings& settings) {
  DesiredResource r = resource(must_parse(addr::slot_instance(color)), kAws);
  r.config = {{"name", cfg.app + "-" + color},
              {"availability_zone", "us-east-1a"},
              {"blueprint_id", "ubuntu_22_04"},
              {"bundle_id", settings.bundle_id},
              {"user_data", fmt::format("#!/bin/sh\n# falcon-xecutor build {}\n", cfg.build)},
              {"tags", {{"color", color}, {"build", cfg.build}}}};
  r.force_new = {"name", "availability_zone", "blueprint_id", "bundle_id", "user_data"};
  // Like terraform/modules/slot: a slot keeps the build it was created with;
  // only a create or a -replace ships the current one.
  // bundle_id too: a per-color setting reaches a slot only when it is created or replaced.
  r.ignore_changes = {"user_data", "tags", "bundle_id"};
  r.computed = {"id", "arn", "public_ip_address", "is_static_ip", "created_at"};
  return r;
}

DesiredResource slot_ports(const std::string& color, const FakeConfig& cfg,
                           const SlotSettings& settings) {
  DesiredResource r = resource(must_parse(addr::slot_ports(color)), kAws);
  r.config = {{"instance_name", cfg.app + "-" + color},
              {"port_info", json::array({{{"from_port", settings.health_port},
                                          {"to_port", settings.health_port},
                                          {"protocol", "tcp"},
                                          {"cidrs", json::array({"0.0.0.0/0"})}}})}};
  r.force_new = {"instance_name", "port_info"};
  r.ignore_changes = {"port_info"};  // per-color, like bundle_id
  r.computed = {"id"};
  r.replace_triggered_by = {addr::slot_instance(color)};
  return r;
}

DesiredResource static_ip(const FakeConfig& cfg) {
  DesiredResource r = resource(must_parse(addr::kStaticIp), kAws);
  r.config = {{"name", cfg.app + "-ip"}};
  r.force_new = {"name"};
  r.computed = {"id", "arn", "ip_address", "support_code"};
  r.prevent_destroy = true;
  return r;
}

DesiredResource healthy(const std::string& active, const FakeConfig& cfg) {
  DesiredResource r = resource(must_parse(addr::kHealthy), kBuiltin);
  r.config = {{"input", cfg.app + "-" + active}};
  r.refs["triggers_replace"] = {addr::slot_instance(active), "arn"};
  r.force_new = {"triggers_replace"};
  r.computed = {"id", "output"};
  r.computed_on_update = {"output"};
  return r;
}

DesiredResource attachment(const FakeConfig& cfg) {
  DesiredResource r = resource(must_parse(addr::kAttachment), kAws);
  r.config = {{"static_ip_name", cfg.app + "-ip"}};
  r.refs["instance_name"] = {addr::kHealthy, "output"};
  r.force_new = {"static_ip_name", "instance_name"};
  r.computed = {"id", "ip_address"};
  r.replace_triggered_by = {addr::kHealthy};
  return r;
}

std::vector<std::string> split_colors(const std::string& raw, bool complex_type) {
  std::vector<std::string> out;
  if (complex_type) {
    for (const auto& v : json::parse(raw)) out.push_back(trim(v.get<std::string>()));
  } else {
    size_t start = 0;
    while (start <= raw.size()) {
      size_t comma = raw.find(',', start);
      if (comma == std::string::npos) comma = raw.size();
      out.push_back(trim(raw.substr(start, comma - start)));
      start = comma + 1;
    }
  }
  out.erase(std::remove(out.begin(), out.end(), ""), out.end());
  return out;
}
}  // namespace

const DesiredResource* Model::find(const std::string& address) const {
  for (const auto& r : resources)
    if (r.addr.str() == address) return &r;
  return nullptr;
}

std::optional<Diagnostic> parse_deploy(const std::string& raw, bool complex_type,
                                       std::vector<std::string>& colors) {
  auto invalid = [](const std::string& problem) {
    return Diagnostic{"error", "Invalid value for variable",
                      fmt::format("{}\n\ndeploy must be a non-empty, comma-separated list of at "
                                  "most two distinct colors (blue, green), inactive first.\n\n"
                                  "This was checked by the validation rule at main.tf:3,3-13.",
                                  problem),
                      "var.deploy"};
  };
  try {
    colors = split_colors(raw, complex_type);
  } catch (const json::exception&) {
    return Diagnostic{"error", "Invalid value for input variable",
                      "The given value is not suitable for var.deploy: list of string required.",
                      "var.deploy"};
  }
  if (colors.empty()) return invalid("The deploy list is empty.");
  std::set<std::string> seen;
  for (const auto& c : colors) {
    if (!kColors.count(c)) return invalid(fmt::format("Unknown color \"{}\".", c));
    if (!seen.insert(c).second) return invalid(fmt::format("Duplicate color \"{}\".", c));
  }
  if (colors.size() > 2)
    return invalid(fmt::format("{} colors given; at most two slots exist.", colors.size()));
  return std::nullopt;
}

Model build_model(const std::vector<std::string>& colors, const FakeConfig& cfg,
                  const SlotSettings& settings) {
  Model m;
  m.colors = colors;
  m.resources.push_back(static_ip(cfg));
  for (const auto& c : colors) {
    m.resources.push_back(slot_instance(c, cfg, settings));
    m.resources.push_back(slot_ports(c, cfg, settings));
  }
  if (!colors.empty()) {
    m.active = colors.back();
    m.resources.push_back(healthy(m.active, cfg));
    m.resources.push_back(attachment(cfg));
  }
  return m;
}

std::optional<Diagnostic> check_attestation(const Model& model,
                                            std::optional<bool> holds_static_ip) {
  if (!holds_static_ip) return std::nullopt;  // unknown: checked again during apply
  if (*holds_static_ip || model.verified == model.active) return std::nullopt;
  return Diagnostic{
      "error", "Resource precondition failed",
      fmt::format("  on modules/upgrade/main.tf line 31, in resource \"terraform_data\" "
                  "\"healthy\":\n  31:       condition     = var.verified == var.active_color || "
                  "var.instance_holds_static_ip == true\n    ├────────────────\n    │ "
                  "var.active_color is \"{0}\"\n    │ var.instance_holds_static_ip is false\n    "
                  "│ var.verified is {1}\n\nStatic IP not moved: {0} has not been verified. "
                  "xdeploy passes -var=verified={0} only after its health gate passed; by hand, "
                  "check {0}'s health URL yourself and pass -var=verified={0}.",
                  model.active, model.verified ? "\"" + *model.verified + "\"" : "null"),
      addr::kHealthy};
}

std::vector<std::string> dependencies_of(const Address& a, const std::vector<Address>& universe) {
  std::vector<std::string> deps;
  const std::string s = a.str();
  // No depends_on = [module.slot] any more: the gate references the slot instances' outputs
  // (name, arn, is_static_ip), and the config-level edge covers every instance of module.slot.
  auto add_instances = [&] {
    for (const auto& u : universe)
      if (addr::slot_color(u) && u.type == "aws_lightsail_instance") deps.push_back(u.str());
  };
  if (auto color = addr::slot_color(a); color && a.type == "aws_lightsail_instance_public_ports") {
    deps.push_back(addr::slot_instance(*color));
  } else if (s == addr::kHealthy) {
    add_instances();
  } else if (s == addr::kAttachment) {
    deps.push_back(addr::kHealthy);
    deps.push_back(addr::kStaticIp);
  }
  std::sort(deps.begin(), deps.end());
  deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  return deps;
}

}  // namespace fake_tf
