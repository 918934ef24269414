#include "xdeploy/core/survivor_check.h"

#include <fmt/format.h>

namespace xd {

std::optional<Refusal> refuse_destroying_the_last_runner(const Plan& plan,
                                                         const ClusterState& state, bool force) {
  if (force) return std::nullopt;
  for (const auto& step : plan.steps) {
    if (step.kind != StepKind::DestroySlot) continue;
    const Color doomed = step.color;
    const Color survivor = other(doomed);
    const SlotInfo* kept = state.slot(survivor);
    if (!kept || kept->liveness != SlotLiveness::Crashed) continue;
    const auto doomed_name = std::string(to_string(doomed));
    const auto survivor_name = std::string(to_string(survivor));
    return Refusal{
        ExitCode::Refused,
        fmt::format(
            "{} is CRASHED (its process is gone): destroying {} would leave nothing running",
            survivor_name, doomed_name),
        fmt::format(
            "run `xdeploy ~{}` to bring {} back first, or pass --force to destroy {} anyway",
            survivor_name, survivor_name, doomed_name)};
  }
  return std::nullopt;
}

}  // namespace xd
