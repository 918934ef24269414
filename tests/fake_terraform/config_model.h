#pragma once
// The root module the fake models instead of parsing HCL: for each deployed color a slot
// (instance + public ports), the protected static IP, and module.upgrade (the terraform_data
// gate with its attestation precondition, and the static IP attachment).
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "address.h"
#include "fake_config.h"
#include "view.h"

namespace fake_tf {

namespace addr {
std::string slot_module(const std::string& color);
std::string slot_instance(const std::string& color);
std::string slot_ports(const std::string& color);
inline constexpr const char* kStaticIp = "aws_lightsail_static_ip.this";
inline constexpr const char* kHealthy = "module.upgrade.terraform_data.healthy";
inline constexpr const char* kAttachment = "module.upgrade.aws_lightsail_static_ip_attachment.this";
// The color of a module.slot["C"] address, if it is one.
std::optional<std::string> slot_color(const Address& a);
}  // namespace addr

struct Reference {
  std::string address;    // the resource whose attribute is referenced
  std::string attribute;  // e.g. "arn"
};

// One resource instance as the configuration wants it.
struct DesiredResource {
  Address addr;
  std::string provider;
  nlohmann::json config = nlohmann::json::object();  // known configuration values
  std::map<std::string, Reference> refs;  // attributes whose value comes from another resource
  std::set<std::string> force_new;        // changing these plans a replacement
  std::set<std::string> ignore_changes;   // lifecycle.ignore_changes: differences here plan nothing
  std::vector<std::string> computed;      // filled in by the provider at apply time
  std::vector<std::string> computed_on_update;    // become unknown on an in-place update
  std::vector<std::string> replace_triggered_by;  // lifecycle.replace_triggered_by
  bool prevent_destroy = false;
};

// Per-color settings read from the root variables (terraform/variables.tf); a slot keeps the
// values it was created with (ignore_changes), like the real module.
struct SlotSettings {
  std::string bundle_id = "nano_3_0";
  int health_port = 8080;
};

struct Model {
  std::vector<std::string> colors;  // inactive first, active last
  std::string active;
  std::optional<std::string> verified;     // -var=verified: the attestation
  std::vector<DesiredResource> resources;  // dependency order
  const DesiredResource* find(const std::string& address) const;
};

// Validates `deploy` like the real module; an error diagnostic names the problem.
std::optional<Diagnostic> parse_deploy(const std::string& raw, bool complex_type,
                                       std::vector<std::string>& colors);
Model build_model(const std::vector<std::string>& colors, const FakeConfig& cfg,
                  const SlotSettings& settings = {});

// The gate's precondition (terraform/modules/upgrade): the attested color is the active one, or
// the active instance already holds the static IP. `holds_static_ip` is nullopt while unknown
// (the active instance is being created or replaced): then the check waits for apply.
std::optional<Diagnostic> check_attestation(const Model& model,
                                            std::optional<bool> holds_static_ip);

// Configuration-level dependencies of `a` among `universe` (module.upgrade depends_on module.slot).
std::vector<std::string> dependencies_of(const Address& a, const std::vector<Address>& universe);

}  // namespace fake_tf
