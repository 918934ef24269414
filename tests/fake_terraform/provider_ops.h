#pragma once
// What the "providers" do at apply time: fill computed attributes (ids, ARNs with a fresh uuid
// per create, IPs from the fake config) and run the data "http" read.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "fake_config.h"
#include "planner.h"
#include "state_store.h"
#include "view.h"

namespace fake_tf {

// Attributes after create/update; `after` has every pending reference already resolved.
nlohmann::json provider_apply(const Change& change, nlohmann::json after, const State& state,
                              const FakeConfig& cfg);
// Reads data.http; returns its attributes, or the provider's error diagnostic.
struct DataRead {
  nlohmann::json attributes;
  std::optional<Diagnostic> error;
};
DataRead read_health(const nlohmann::json& config, const FakeConfig& cfg);
// The precondition of terraform_data.healthy, evaluated on the data source attributes.
std::optional<Diagnostic> check_health_precondition(const nlohmann::json& data_attributes,
                                                    const FakeConfig& cfg);
// The id shown in "[id=...]".
std::string resource_id(const nlohmann::json& attributes);

}  // namespace fake_tf
