#include "xdeploy/core/step.h"

#include <fmt/format.h>

namespace xd {

std::string_view to_string(StepKind k) {
  switch (k) {
    case StepKind::Bootstrap:
      return "bootstrap";
    case StepKind::CreateSlot:
      return "create";
    case StepKind::ReplaceSlot:
      return "replace";
    case StepKind::HealthGate:
      return "gate";
    case StepKind::SwitchTraffic:
      return "switch";
    case StepKind::DestroySlot:
      return "destroy";
    case StepKind::VerifyActive:
      return "verify";
  }
  return "?";
}

std::string Step::describe() const {
  const auto c = to_string(color);
  switch (kind) {
    case StepKind::Bootstrap:
      return fmt::format("create {} and the static IP, attach the IP once {} is healthy", c, c);
    case StepKind::CreateSlot:
      return fmt::format("create {} (inactive twin)", c);
    case StepKind::ReplaceSlot:
      return fmt::format("replace {}{} instance with the current build", c,
                         touches_active ? " (ACTIVE)" : "");
    case StepKind::HealthGate:
      return fmt::format("health gate {}", c);
    case StepKind::SwitchTraffic:
      return fmt::format("move the static IP to {}", c);
    case StepKind::DestroySlot:
      return fmt::format("destroy {}", c);
    case StepKind::VerifyActive:
      return fmt::format("confirm {} is active", c);
  }
  return "?";
}

std::string Step::id() const {
  return fmt::format("{}-{}", to_string(kind), to_string(color));
}

}  // namespace xd
