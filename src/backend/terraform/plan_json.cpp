#include "backend/terraform/plan_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace xd {

std::optional<PlanJson> parse_plan_json(std::string_view json_text, std::string* error) {
  try {
    const auto doc = nlohmann::json::parse(json_text);
    if (!doc.is_object() || !doc.contains("format_version"))
      throw std::runtime_error("not a Terraform plan (no format_version)");
    PlanJson plan;
    for (const auto& rc : doc.value("resource_changes", nlohmann::json::array())) {
      ResourceChange change;
      change.address = rc.at("address").get<std::string>();
      change.actions = rc.at("change").at("actions").get<std::vector<std::string>>();
      plan.changes.push_back(std::move(change));
    }
    return plan;
  } catch (const std::exception& e) {
    if (error) *error = fmt::format("cannot read the plan JSON: {}", e.what());
    return std::nullopt;
  }
}

}  // namespace xd
