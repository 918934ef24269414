#pragma once
// One step of a plan. Steps are backend-neutral: the Terraform backend turns
// a mutating step into plan/show/apply with `-var deploy=<target>`, the local
// backend into process and router operations. HealthGate and VerifyActive are
// run by the app layer itself, the same way for every backend.
#include <string>

#include "xdeploy/core/deployment.h"

namespace xd {

enum class StepKind {
  Bootstrap,      // first deploy: create the slot and the static IP, attach it once healthy
  CreateSlot,     // create the inactive twin; the active slot and static IP untouched
  ReplaceSlot,    // force-replace one slot's instance (current code and config)
  HealthGate,     // native health check of one slot, straight to the slot
  SwitchTraffic,  // move the static IP to a color
  DestroySlot,    // remove one slot
  VerifyActive,   // read the state back and confirm which color is active
};

std::string_view to_string(StepKind k);

// True for the steps a backend executes (they change infrastructure).
constexpr bool is_mutating(StepKind k) {
  return k != StepKind::HealthGate && k != StepKind::VerifyActive;
}

struct Step {
  StepKind kind = StepKind::HealthGate;
  Color color = Color::Blue;    // the slot the step is about
  Deployment target;            // the deployment once this step is done
  bool touches_active = false;  // may replace/destroy the active slot (needs --force)

  // "create green (inactive twin)": one line for humans, used in logs and plans.
  std::string describe() const;
  // "create-green": a short id used as the log prefix and in history.
  std::string id() const;
};

}  // namespace xd
