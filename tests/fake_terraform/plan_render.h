#pragma once
// How a plan is shown: the human "# ADDR will be created" listing ending in "Plan: ..." or
// "No changes.", and the -json planned_change / change_summary messages.
#include <string>
#include <vector>

#include "planner.h"
#include "view.h"

namespace fake_tf {

void render_plan(const View& view, const std::vector<Change>& changes, bool destroy);
// operation: "plan" | "apply" | "destroy"; plan_phase picks the "Plan: ..." wording.
void render_change_summary(const View& view, const ChangeCounts& counts,
                           const std::string& operation, bool plan_phase);
nlohmann::json hook_resource_json(const Address& a);

}  // namespace fake_tf
