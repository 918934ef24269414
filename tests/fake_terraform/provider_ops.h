#pragma once
// What the "providers" do: fill computed attributes at apply time (ids, ARNs with a fresh uuid
// per create, IPs from the fake config), and what a refresh reads back from "Lightsail".
#include <nlohmann/json.hpp>

#include <string>

#include "fake_config.h"
#include "planner.h"
#include "state_store.h"

namespace fake_tf {

// Attributes after create/update; `after` has every pending reference already resolved.
nlohmann::json provider_apply(const Change& change, nlohmann::json after, const State& state,
                              const FakeConfig& cfg);

// Lightsail's address behaviour (facts §0.1), which only a refresh brings into state: the
// instance the static IP is attached to has the static IP as its public address
// (is_static_ip = true); every other instance has its own dynamic address. Attaching or
// detaching (the attachment's create/delete) never updates the instances' attributes, so
// `output -json` stays stale until a refresh. The attachment in state is the fake's "cloud"
// truth of where the IP is. Returns whether anything changed.
bool refresh_instance(Instance& instance, const State& state, const FakeConfig& cfg);

// An instance's is_static_ip as recorded (false when missing or unknown).
bool holds_static_ip(const nlohmann::json& instance_attributes);

// The id shown in "[id=...]".
std::string resource_id(const nlohmann::json& attributes);

}  // namespace fake_tf
