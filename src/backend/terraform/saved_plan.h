#pragma once
// The two states inside a saved plan file, read without starting Terraform. A plan file is
// a zip (hashicorp/terraform internal/plans/planfile/writer.go) whose entries include
// `tfstate`, the prior state as the plan's refresh saw it, and `tfstate-prev`, the state
// before that refresh, both in the version-4 JSON that `terraform state pull` prints
// (checked with Terraform 1.11.4: terraform/README.md "Reading a saved plan").
//
// Comparing them tells, from the plan xdeploy is about to apply and nothing else, every
// object the refresh found gone (a wrong account, region or profile looks exactly like a
// deleted object to the provider) and every slot's fresh address. Both hold secrets in
// clear: never shown.
#include <optional>
#include <string>
#include <vector>

#include "state_json.h"

namespace xd {

struct SavedPlanStates {
  StateFacts before_refresh;  // tfstate-prev
  StateFacts refreshed;       // tfstate
};

std::optional<SavedPlanStates> read_saved_plan_states(const std::string& path, std::string* error);

// Managed objects the refresh removed: in the state before it, not after it.
std::vector<std::string> dropped_by_refresh(const SavedPlanStates& states);

}  // namespace xd
