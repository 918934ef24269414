// `terraform state pull`: the raw state (format version 4) on stdout, from the backend, with no
// provider loaded and no lock taken (real Terraform's `state pull` only reads). No state at all
// prints nothing and exits 0, as real Terraform 1.11 does.
#include <fmt/format.h>

#include "command_context.h"
#include "planted_secret.h"
#include "state_store.h"

namespace fake_tf {

int run_state_pull(CommandContext& ctx) {
  FlagSet f;
  int code = 0;
  if (!parse_flags(ctx, f, code)) return code;
  View& v = ctx.view;  // positional arguments are ignored, as real Terraform does
  State state;
  try {
    state = StateStore(ctx.workdir).load();
  } catch (const std::exception& e) {
    v.err(fmt::format("Error loading the state: {}\n", e.what()));
    return 1;
  }
  if (!state.exists) return 0;
  auto doc = to_state_file(state);
  plant_in_state_file(doc);
  v.out(doc.dump(2) + "\n");
  return 0;
}

}  // namespace fake_tf
