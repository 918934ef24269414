#include "step_scope.h"

#include <string>
#include <vector>

#include "terraform_addresses.h"

namespace xd {

namespace {
const std::vector<std::string> kAnyChange{"create", "delete", "update", "read", "no-op", "forget"};
}  // namespace

ChangeScope allowed_scope(const Step& step, const Deployment& from) {
  const std::string slot = slot_address(step.color);
  ChangeScope scope;
  if (from.active) scope.active_slot = slot_address(*from.active);
  switch (step.kind) {
    case StepKind::Bootstrap:
      scope.rules = {{slot, kAnyChange},
                     {kUpgradeModule, kAnyChange},
                     {kStaticIpAddress, {"create", "update"}},
                     {kClaimsBucket, {"create"}},
                     {kClaimsBucketAccess, {"create"}}};
      break;
    case StepKind::CreateSlot:
      scope.rules = {{slot, {"create"}}};
      break;
    case StepKind::ReplaceSlot:
      scope.rules = {{slot, {"create", "delete", "update"}}};
      // Replacing the active instance re-creates its static IP attachment.
      if (step.touches_active) scope.rules.push_back({kUpgradeModule, kAnyChange});
      break;
    case StepKind::SwitchTraffic:
      scope.rules = {{kUpgradeModule, kAnyChange}};
      break;
    case StepKind::DestroySlot:
      scope.rules = {{slot, {"delete"}}};
      // Destroying the slot that holds the IP also drops the attachment and gate.
      if (from.is_active(step.color)) scope.rules.push_back({kUpgradeModule, {"delete", "update"}});
      break;
    case StepKind::HealthGate:
    case StepKind::VerifyActive:
      break;  // read-only: nothing may change
  }
  return scope;
}

}  // namespace xd
