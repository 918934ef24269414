// libFuzzer harness: `terraform output -json` text -> ClusterState. Any bytes
// must give a state or an error with a reason, never a crash or an
// exception; an accepted state must be one the planner can trust.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "outputs_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  xd::OutputsError error;
  const auto state = xd::parse_outputs(text, &error);
  if (!state) {
    if (error.reason.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  const auto& d = state->deployment;
  if (d.active && !state->slots.count(*d.active)) std::abort();  // active names a real slot
  if (d.inactive && !state->slots.count(*d.inactive)) std::abort();
  if (d.active && d.inactive && *d.active == *d.inactive) std::abort();
  return 0;
}
