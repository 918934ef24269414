#include "move_budget.h"

#include <algorithm>

namespace xd {

namespace {
// What the estimate does not see: Terraform's graceful stop after the SIGINT, reading the state
// back, the gate's first request, the attach call itself. Measured against the emulator at
// 1-2 s together on a loaded 2-core VM; doubled.
constexpr std::chrono::milliseconds kUnseen{4000};
}  // namespace

std::chrono::milliseconds way_back_reserve(const MoveBudget& budget) {
  // Half again the measured cost: the way back's plan runs beside the gate, and a machine
  // under load is slower the second time as often as not.
  const auto measured = budget.plan_took + budget.apply_to_detach;
  return measured + measured / 2 + kUnseen;
}

std::chrono::milliseconds attach_allowance(const MoveBudget& budget) {
  const auto floor = budget.dark_budget / 4;
  return std::max(budget.dark_budget - way_back_reserve(budget), floor);
}

}  // namespace xd
