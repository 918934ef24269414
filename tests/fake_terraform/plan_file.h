#pragma once
// Saved plans (-out=FILE): a zip, like real Terraform's (internal/plans/planfile/writer.go),
// with the entries xdeploy reads: `tfstate` (the prior state as the plan's refresh saw it) and
// `tfstate-prev` (the state before that refresh), both the version-4 JSON `state pull` prints.
// Its `tfplan` entry is our own JSON (real Terraform's is protobuf, which xdeploy never reads):
// the state serial/lineage the plan was made from (so a stale plan is refused), the variables
// (secret values left out), the planned changes, the instance attributes refreshed at plan
// time, and the attestation the gate checks.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "planner.h"

namespace fake_tf {

struct SavedPlan {
  bool destroy = false;
  std::vector<std::string> targets;
  std::vector<std::string> replace;
  nlohmann::json variables = nlohmann::json::object();  // name -> {"value": raw text}
  bool prior_exists = false;
  std::uint64_t prior_serial = 0;
  std::string prior_lineage;
  nlohmann::json prior_outputs = nlohmann::json::object();
  std::vector<Change> changes;
  nlohmann::json refreshed = nlohmann::json::object();  // address -> attributes refreshed at plan
  nlohmann::json attestation =
      nlohmann::json::object();  // {"active": color, "verified": color|null}
  nlohmann::json planned_outputs = nlohmann::json::object();
};

// `refreshed_state` and `prior_state` are the two state documents (to_state_file()).
void write_plan_file(const std::filesystem::path& path, const SavedPlan& plan,
                     const nlohmann::json& refreshed_state, const nlohmann::json& prior_state);
// Throws std::runtime_error("...") when the file is missing or not a plan.
SavedPlan read_plan_file(const std::filesystem::path& path);

}  // namespace fake_tf
