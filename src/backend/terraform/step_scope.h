#pragma once
// What each step may change in the root module, as change-guard rules over
// its Terraform addresses (terraform_addresses.h). The guard itself, which
// judges a plan against these rules, is pure and lives in the core.
#include "xdeploy/core/change_guard.h"
#include "xdeploy/core/deployment.h"
#include "xdeploy/core/step.h"

namespace xd {

// What `step` may change, given the deployment it starts from. The active
// slot (if any) is named in the scope, so the guard refuses deleting or
// replacing it unless the step may touch it (--force).
ChangeScope allowed_scope(const Step& step, const Deployment& from);

}  // namespace xd
