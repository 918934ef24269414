#pragma once
// Saved plans (-out=FILE): our own JSON format, recording the state serial/lineage the plan was
// made from (so a stale plan is refused), the variables (secret values left out), the planned
// changes, the instance attributes refreshed at plan time, and the attestation the gate checks.
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

void write_plan_file(const std::filesystem::path& path, const SavedPlan& plan);
// Throws std::runtime_error("...") when the file is missing or not a plan.
SavedPlan read_plan_file(const std::filesystem::path& path);

}  // namespace fake_tf
