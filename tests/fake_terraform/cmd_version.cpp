// `terraform version [-json]` and `force-unlock` for local state.
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "clock_ids.h"
#include "command_context.h"
#include "state_lock.h"

namespace fake_tf {

int run_version(CommandContext& ctx) {
  bool as_json = false;
  FlagSet f;
  f.boolean("json", &as_json);
  // `-v`/`-version` anywhere turn into `version`; they are accepted here and ignored.
  bool ignored = false;
  f.boolean("v", &ignored);
  f.boolean("version", &ignored);
  int code = 0;
  auto rest = parse_flags(ctx, f, code);
  if (!rest) return code;
  ctx.view.set_json(false);
  if (as_json) {
    nlohmann::ordered_json j{{"terraform_version", kTerraformVersion},
                             {"platform", "linux_amd64"},
                             {"provider_selections", nlohmann::json::object()},
                             {"terraform_outdated", false}};
    ctx.view.out(j.dump(2) + "\n");
    return 0;
  }
  ctx.view.out(fmt::format("Terraform v{}\non linux_amd64\n", kTerraformVersion));
  return 0;
}

int run_force_unlock(CommandContext& ctx) {
  bool force = false;
  FlagSet f;
  f.boolean("force", &force);
  int code = 0;
  auto rest = parse_flags(ctx, f, code);
  if (!rest) return code;
  View& v = ctx.view;
  if (rest->size() != 1) {
    v.error("Invalid arguments", "Expected a single argument: LOCK_ID");
    return 1;
  }
  if (!force) {
    v.error("Local state cannot be unlocked by another process");
    return 1;
  }
  std::ifstream in(lock_info_path(ctx.workdir));
  std::stringstream ss;
  ss << in.rdbuf();
  auto info = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!in || info.is_discarded() || info.value("ID", "") != (*rest)[0]) {
    v.error("Failed to unlock state",
            fmt::format("lock id \"{}\" does not match existing lock", (*rest)[0]));
    return 1;
  }
  std::filesystem::remove(lock_info_path(ctx.workdir));
  v.out(
      "Terraform state has been successfully unlocked!\n\nThe state has been unlocked, and "
      "Terraform commands should now be able to\nobtain a new lock on the remote state.\n");
  return 0;
}

}  // namespace fake_tf
