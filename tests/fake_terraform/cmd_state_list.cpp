// `terraform state list [ADDR...]` in Terraform's sort order (facts §1.8).
#include <fmt/format.h>

#include "command_context.h"
#include "state_store.h"

namespace fake_tf {

int run_state_list(CommandContext& ctx) {
  std::string state_path, id;
  FlagSet f;
  f.string("state", &state_path);
  f.string("id", &id);
  int code = 0;
  auto rest = parse_flags(ctx, f, code);
  if (!rest) return code;
  View& v = ctx.view;
  StateStore store(ctx.workdir);
  State state;
  try {
    state = store.load();
  } catch (const std::exception& e) {
    v.err(fmt::format("Error loading the state: {}\n", e.what()));
    return 1;
  }
  if (!state.exists) {
    v.err(
        "No state file was found!\n\nState management commands require a state file. Run this "
        "command\nin a directory where Terraform has been run or use the -state flag\nto point "
        "the command to a specific state location.\n");
    return 1;
  }
  std::vector<Address> filters;
  for (const auto& raw : *rest) {
    auto parsed = parse_address(raw);
    if (!parsed) {
      v.err(fmt::format("Error parsing instance address: {}\n", raw));
      return 1;
    }
    filters.push_back(*parsed);
  }
  std::string text;
  for (const auto& filter : filters) {
    bool any = false;
    for (const Instance* inst : state.ordered()) any = any || target_selects(filter, inst->addr);
    if (!any) {
      v.err(fmt::format("Error: No matching objects found for \"{}\"\n", filter.str()));
      return 1;
    }
  }
  for (const Instance* inst : state.ordered()) {
    bool keep = filters.empty();
    for (const auto& filter : filters) keep = keep || target_selects(filter, inst->addr);
    if (!id.empty()) keep = keep && inst->attributes.value("id", "") == id;
    if (keep) text += inst->addr.str() + "\n";
  }
  v.out(text);
  return 0;
}

}  // namespace fake_tf
