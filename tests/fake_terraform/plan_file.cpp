#include "plan_file.h"

#include <fmt/format.h>
#include <zip.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "clock_ids.h"
#include "state_store.h"

namespace fake_tf {

using nlohmann::json;

namespace {

// Written next to the target and renamed over it, so a reader never sees half a zip.
void write_zip(const std::filesystem::path& path,
               const std::vector<std::pair<std::string, std::string>>& entries) {
  const auto tmp = path.string() + ".tmp";
  int error = 0;
  zip_t* z = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!z) throw std::runtime_error(fmt::format("open {}: cannot create the zip", tmp));
  for (const auto& [name, text] : entries) {
    zip_source_t* src = zip_source_buffer(z, text.data(), text.size(), 0);
    if (!src || zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE) < 0) {
      if (src) zip_source_free(src);
      zip_discard(z);
      throw std::runtime_error(fmt::format("write {}: cannot add {}", tmp, name));
    }
  }
  if (zip_close(z) != 0) {
    zip_discard(z);
    throw std::runtime_error(fmt::format("write {}: cannot finish the zip", tmp));
  }
  std::filesystem::rename(tmp, path);
}

std::string read_tfplan_entry(const std::filesystem::path& path) {
  int error = 0;
  std::unique_ptr<zip_t, decltype(&zip_discard)> z(zip_open(path.c_str(), ZIP_RDONLY, &error),
                                                   &zip_discard);
  if (!z) throw std::runtime_error("zip: not a valid zip file");
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(z.get(), "tfplan", 0, &st) != 0)
    throw std::runtime_error("the plan file has no tfplan entry");
  std::unique_ptr<zip_file_t, decltype(&zip_fclose)> f(zip_fopen(z.get(), "tfplan", 0),
                                                       &zip_fclose);
  std::string text(st.size, '\0');
  if (!f || zip_fread(f.get(), text.data(), st.size) != static_cast<zip_int64_t>(st.size))
    throw std::runtime_error("cannot read the plan file's tfplan entry");
  return text;
}

}  // namespace

void write_plan_file(const std::filesystem::path& path, const SavedPlan& p,
                     const json& refreshed_state, const json& prior_state) {
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
  write_zip(path, {{"tfplan", j.dump() + "\n"},
                   {"tfstate", refreshed_state.dump(2) + "\n"},
                   {"tfstate-prev", prior_state.dump(2) + "\n"}});
}

SavedPlan read_plan_file(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error(fmt::format("open {}: no such file or directory", path.string()));
  auto j = json::parse(read_tfplan_entry(path), nullptr, false);
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
