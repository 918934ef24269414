#include "plan_file.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "clock_ids.h"
#include "state_store.h"

namespace fake_tf {

using nlohmann::json;

void write_plan_file(const std::filesystem::path& path, const SavedPlan& p) {
  json changes = json::array();
  for (const auto& c : p.changes) changes.push_back(c.to_json());
  json j{{"fake_terraform_plan", 1},
         {"terraform_version", kTerraformVersion},
         {"destroy", p.destroy},
         {"targets", p.targets},
         {"replace", p.replace},
         {"variables", p.variables},
         {"prior",
          {{"exists", p.prior_exists},
           {"serial", p.prior_serial},
           {"lineage", p.prior_lineage},
           {"outputs", p.prior_outputs}}},
         {"changes", changes},
         {"refreshed", p.refreshed},
         {"attestation", p.attestation},
         {"planned_outputs", p.planned_outputs}};
  write_file_atomic(path, j.dump() + "\n");
}

SavedPlan read_plan_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(fmt::format("open {}: no such file or directory", path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.contains("fake_terraform_plan"))
    throw std::runtime_error("zip: not a valid zip file");
  SavedPlan p;
  try {
    p.destroy = j.at("destroy");
    p.targets = j.at("targets").get<std::vector<std::string>>();
    p.replace = j.at("replace").get<std::vector<std::string>>();
    p.variables = j.at("variables");
    p.prior_exists = j.at("prior").at("exists");
    p.prior_serial = j.at("prior").at("serial");
    p.prior_lineage = j.at("prior").at("lineage");
    p.prior_outputs = j.at("prior").at("outputs");
    for (const auto& c : j.at("changes")) p.changes.push_back(Change::from_json(c));
    p.refreshed = j.at("refreshed");
    p.attestation = j.at("attestation");
    p.planned_outputs = j.at("planned_outputs");
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("corrupt plan: {}", e.what()));
  }
  return p;
}

}  // namespace fake_tf
