#include "xdeploy/core/change_guard.h"

#include <fmt/format.h>

#include <algorithm>

namespace xd {

namespace {

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
    if (from.active && !scope.active_slot.empty() && removes(change.actions) &&
        !step.touches_active && under(change.address, scope.active_slot)) {
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
