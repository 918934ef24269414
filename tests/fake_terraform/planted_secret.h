#pragma once
// FAKE_TF_PLANT_SECRET=VALUE: behave like real Terraform with sensitive data, which the model
// otherwise leaves out. VALUE then appears in clear wherever real Terraform prints secrets in
// clear: `show -json PLAN` (`variables`, `prior_state`, the changes' `user_data`), `show -json`
// of the state, `state pull` (the raw state file), and `output -json` (a sensitive output). Tests
// grep everything xdeploy wrote for VALUE.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace fake_tf {

std::optional<std::string> planted_secret();
void plant_in_plan(nlohmann::json& plan_document);
void plant_in_state(nlohmann::json& state_document);
void plant_in_state_file(nlohmann::json& state_file);
void plant_in_outputs(nlohmann::json& outputs);

}  // namespace fake_tf
