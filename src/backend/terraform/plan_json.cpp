#include "plan_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace xd {

namespace {

using nlohmann::json;

struct Unreadable {
  std::string reason;
};

// The JSON plan format promises compatibility within a major version only.
void check_format_version(const json& doc) {
  if (!doc.contains("format_version") || !doc.at("format_version").is_string())
    throw Unreadable{"not a Terraform plan (no format_version)"};
  const auto version = doc.at("format_version").get<std::string>();
  if (version.rfind("1.", 0) != 0 && version != "1")
    throw Unreadable{
        fmt::format("unknown plan format_version \"{}\" (this xdeploy reads 1.x)", version)};
}

void check_plan_status(const json& doc) {
  if (doc.value("errored", false) == true) throw Unreadable{"Terraform marked the plan as errored"};
  if (doc.contains("applyable") && doc.at("applyable") == false)
    throw Unreadable{"Terraform marked the plan as not applyable"};
  if (doc.contains("deferred_changes") && !doc.at("deferred_changes").is_null() &&
      !doc.at("deferred_changes").empty())
    throw Unreadable{
        "the plan defers changes to a later run (deferred_changes); xdeploy cannot check them"};
}

ResourceChange read_change(const json& rc) {
  if (!rc.is_object() || !rc.contains("address") || !rc.at("address").is_string())
    throw Unreadable{"a resource change has no address"};
  ResourceChange change;
  change.address = rc.at("address").get<std::string>();
  const json* actions = nullptr;
  if (rc.contains("change") && rc.at("change").is_object() && rc.at("change").contains("actions"))
    actions = &rc.at("change").at("actions");
  if (!actions || !actions->is_array())
    throw Unreadable{fmt::format("{} has no list of actions", change.address)};
  for (const auto& a : *actions) {
    if (!a.is_string()) throw Unreadable{fmt::format("{} has a non-text action", change.address)};
    change.actions.push_back(a.get<std::string>());
  }
  if (change.actions.empty())
    throw Unreadable{fmt::format("{} has an empty list of actions", change.address)};
  const auto& c = rc.at("change");
  change.importing = c.contains("importing") && !c.at("importing").is_null();
  return change;
}

size_t count_output_changes(const json& doc) {
  size_t n = 0;
  if (!doc.contains("output_changes") || !doc.at("output_changes").is_object()) return 0;
  for (const auto& [name, oc] : doc.at("output_changes").items()) {
    const auto actions = oc.is_object() ? oc.value("actions", json::array()) : json::array();
    if (actions != json::array({"no-op"})) ++n;
  }
  return n;
}

}  // namespace

std::optional<PlanJson> parse_plan_json(std::string_view json_text, std::string* error,
                                        bool require_changes) {
  try {
    const auto doc = json::parse(json_text);
    if (!doc.is_object()) throw Unreadable{"not a Terraform plan (not a JSON object)"};
    check_format_version(doc);
    check_plan_status(doc);
    PlanJson plan;
    const bool present = doc.contains("resource_changes") && !doc.at("resource_changes").is_null();
    if (present && !doc.at("resource_changes").is_array())
      throw Unreadable{"resource_changes is not a list"};
    if (!present && require_changes)
      throw Unreadable{"Terraform said the plan has changes, but it lists no resource_changes"};
    if (present)
      for (const auto& rc : doc.at("resource_changes")) plan.changes.push_back(read_change(rc));
    plan.output_changes = count_output_changes(doc);
    return plan;
  } catch (const json::exception& e) {
    if (error) *error = fmt::format("cannot read the plan JSON: {}", e.what());
  } catch (const Unreadable& u) {
    if (error) *error = fmt::format("cannot read the plan JSON: {}", u.reason);
  }
  return std::nullopt;
}

}  // namespace xd
