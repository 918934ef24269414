#pragma once
// `terraform show -json PLANFILE` -> the resource changes the guard checks.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/change_guard.h"

namespace xd {

struct PlanJson {
  std::vector<ResourceChange> changes;  // every resource_changes entry
};

std::optional<PlanJson> parse_plan_json(std::string_view json_text, std::string* error);

}  // namespace xd
