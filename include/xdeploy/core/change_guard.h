#pragma once
// The safety net under every mutating step: Terraform's saved plan lists the
// resource changes it would make; a step may only make the changes in its
// allowed scope. Anything else (config drift, a module that grew a new
// dependency, a replaced active instance) is a violation and the step is
// refused before `apply` runs. Pure and backend-neutral: the plan is parsed,
// and each step's scope is written in addresses, by the Terraform backend
// (src/backend/terraform/step_scope.h).
#include <string>
#include <vector>

#include "xdeploy/core/step.h"

namespace xd {

// One entry of `show -json PLAN`'s resource_changes: its address and actions
// ("create", "delete", "update", "read", "no-op", "forget"; a replace is
// ["delete","create"] or ["create","delete"]).
struct ResourceChange {
  std::string address;
  std::vector<std::string> actions;
  // `change.importing` is set: the apply adopts an existing object into the
  // state, even when the action is "no-op". Adopting is like creating.
  bool importing = false;
};

struct ScopeRule {
  std::string address_prefix;        // matches itself and everything below it ("prefix.")
  std::vector<std::string> actions;  // actions allowed there
};

struct ChangeScope {
  std::vector<ScopeRule> rules;
  // The address prefix of the active slot, "" when nothing is active: deleting
  // or replacing anything below it is a violation unless the step may touch the
  // active slot (--force), whatever the rules say.
  std::string active_slot;
};

struct Violation {
  std::string address;
  std::string action;  // "create", "delete", "replace", "update"
  std::string why;
};

// The changes outside the scope; empty means the plan is safe to apply. A
// delete or replace under scope.active_slot is always a violation unless the
// step is allowed to touch the active slot (--force). A change with no actions
// cannot be judged and is a violation; an import is allowed only where the
// scope allows "create".
std::vector<Violation> check_changes(const ChangeScope& scope,
                                     const std::vector<ResourceChange>& changes, const Step& step,
                                     const Deployment& from);

// False when applying the plan would change no resource: every entry is a
// no-op or a read and nothing is imported (Terraform's exit 2 for output-only
// changes). An entry with no actions counts as a change: it is not known.
bool changes_resources(const std::vector<ResourceChange>& changes);

// "replace", "create", "delete", "update", "read" or "no-op" for one change.
std::string summarize_actions(const std::vector<std::string>& actions);

}  // namespace xd
