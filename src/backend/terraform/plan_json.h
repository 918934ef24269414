#pragma once
// `terraform show -json PLANFILE` -> the resource changes the guard checks.
// Strict: the guard may only pass a plan it can read completely, so anything
// it cannot vouch for (an unknown format, an errored or unapplyable plan,
// deferred changes, resource_changes that are missing or malformed, a change
// with no actions) is an error, and the step is refused.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xdeploy/core/change_guard.h"

namespace xd {

struct PlanJson {
  std::vector<ResourceChange> changes;  // every resource_changes entry
  size_t output_changes = 0;            // root outputs whose value would change
};

// `require_changes`: the plan said it has changes (`plan -detailed-exitcode`
// exit 2), so `resource_changes` must be there. Terraform lists every
// resource instance in it, no-ops included; it leaves the key out only when
// the configuration has no resources at all.
std::optional<PlanJson> parse_plan_json(std::string_view json_text, std::string* error,
                                        bool require_changes = true);

}  // namespace xd
