#pragma once
// Resource and module addresses (`module.slot["blue"].aws_lightsail_instance.this`,
// `module.upgrade`, `data.http.health`) and the -target matching rules of facts §4.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fake_tf {

struct ModuleStep {
  std::string name;
  std::optional<std::string> key;  // for_each key, stored already quoted: "\"blue\""
  bool operator==(const ModuleStep&) const = default;
};

struct Address {
  std::vector<ModuleStep> modules;
  std::string mode;  // "managed" | "data" | "" for a module-only address
  std::string type;
  std::string name;
  std::optional<std::string> key;

  bool is_resource() const { return !type.empty(); }
  std::string module_string() const;  // "module.slot[\"blue\"]" or ""
  std::string str() const;
  bool operator==(const Address&) const = default;
};

std::optional<Address> parse_address(const std::string& text);
// True when `target` selects `instance`: module prefixes select everything inside them, and an
// address without a key selects every key.
bool target_selects(const Address& target, const Address& instance);

}  // namespace fake_tf
