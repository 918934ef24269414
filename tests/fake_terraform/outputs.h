#pragma once
// The root outputs (active, slots, static_ip, health_url) derived from state the way the real
// module's output blocks would be, with their cty type JSON (facts §1.7).
#include <nlohmann/json.hpp>

#include <string>

#include "fake_config.h"
#include "state_store.h"

namespace fake_tf {

// name -> {"sensitive":false,"type":T,"value":V}. Null root outputs are left out, as Terraform
// removes null root outputs from state.
nlohmann::json compute_outputs(const State& state, const FakeConfig& cfg);
// HCL-ish rendering used by human `output` and the Outputs: block after apply.
std::string render_value(const nlohmann::json& value, int indent = 0);

}  // namespace fake_tf
