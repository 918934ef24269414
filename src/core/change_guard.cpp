#include "xdeploy/core/change_guard.h"

#include <fmt/format.h>

#include <algorithm>

namespace xd {

std::string slot_address(Color c) {
  return fmt::format("module.slot[\"{}\"]", to_string(c));
}

std::string slot_instance_address(Color c) {
  return slot_address(c) + ".aws_lightsail_instance.this";
}

namespace {

const std::vector<std::string> kAnyChange{"create", "delete", "update", "read", "no-op", "forget"};

bool under(const std::string& address, const std::string& prefix) {
  if (address.size() < prefix.size() || address.compare(0, prefix.size(), prefix) != 0)
    return false;
  return address.size() == prefix.size() || address[prefix.size()] == '.' ||
         address[prefix.size()] == '[';
}

bool allows(const ScopeRule& rule, const std::string& action) {
  return std::find(rule.actions.begin(), rule.actions.end(), action) != rule.actions.end();
}

bool is_noop(const std::vector<std::string>& actions) {
  return !actions.empty() && std::all_of(actions.begin(), actions.end(), [](const std::string& a) {
    return a == "no-op" || a == "read";
  });
}

bool removes(const std::vector<std::string>& actions) {
  return std::find(actions.begin(), actions.end(), "delete") != actions.end();
}

}  // namespace

bool changes_resources(const std::vector<ResourceChange>& changes) {
  return std::any_of(changes.begin(), changes.end(),
                     [](const ResourceChange& c) { return c.importing || !is_noop(c.actions); });
}

std::string summarize_actions(const std::vector<std::string>& actions) {
  if (actions.size() == 2 && removes(actions)) return "replace";
  if (actions.empty()) return "no-op";
  return actions.front();
}

ChangeScope allowed_scope(const Step& step, const Deployment& from) {
  const std::string slot = slot_address(step.color);
  ChangeScope scope;
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

std::vector<Violation> check_changes(const ChangeScope& scope,
                                     const std::vector<ResourceChange>& changes, const Step& step,
                                     const Deployment& from) {
  std::vector<Violation> out;
  for (const auto& change : changes) {
    if (change.actions.empty()) {
      out.push_back({change.address, "unknown", "the plan lists no actions for it"});
      continue;
    }
    if (change.importing &&
        !std::any_of(scope.rules.begin(), scope.rules.end(), [&](const ScopeRule& rule) {
          return under(change.address, rule.address_prefix) && allows(rule, "create");
        })) {
      out.push_back(
          {change.address, "import", fmt::format("outside what `{}` may adopt", step.describe())});
      continue;
    }
    if (is_noop(change.actions)) continue;
    const std::string action = summarize_actions(change.actions);
    if (from.active && removes(change.actions) && !step.touches_active &&
        under(change.address, slot_address(*from.active))) {
      out.push_back({change.address, action,
                     fmt::format("would {} the active slot ({}); only --force may", action,
                                 to_string(*from.active))});
      continue;
    }
    const bool ok = std::any_of(scope.rules.begin(), scope.rules.end(), [&](const ScopeRule& rule) {
      return under(change.address, rule.address_prefix) &&
             std::all_of(change.actions.begin(), change.actions.end(),
                         [&](const std::string& a) { return a == "no-op" || allows(rule, a); });
    });
    if (!ok)
      out.push_back(
          {change.address, action, fmt::format("outside what `{}` may change", step.describe())});
  }
  return out;
}

}  // namespace xd
