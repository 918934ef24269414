#pragma once
// The differ: desired configuration (Model) against prior state gives Terraform's planned
// actions, reasons, targeting scope (facts §4) and the prevent_destroy check. Pure: no I/O.
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "config_model.h"
#include "state_store.h"
#include "view.h"

namespace fake_tf {

enum class Action { NoOp, Create, Read, Update, Delete, Replace };

// plan JSON `actions`: ["create"], ["delete","create"], ["no-op"], ...
nlohmann::json action_list(Action a);
// UI hook action: create|update|delete|read|replace|noop
std::string hook_action(Action a);
Action action_from_list(const nlohmann::json& list);

struct Change {
  Address addr;
  std::string provider;
  Action action = Action::NoOp;
  nlohmann::json before;  // null when there is no prior object
  nlohmann::json after;   // null for delete
  nlohmann::json after_unknown = nlohmann::json::object();
  std::string reason;                             // plan JSON action_reason, may be empty
  std::map<std::string, Reference> pending_refs;  // unknown at plan, resolved at apply
  std::vector<std::string> dependencies;
  bool read_at_plan = false;  // a data source read now rather than during apply

  bool is_change() const { return action != Action::NoOp; }
  nlohmann::json to_json() const;
  static Change from_json(const nlohmann::json& j);
};

struct PlanOptions {
  bool destroy = false;
  bool refresh = true;
  std::vector<Address> targets;
  std::set<std::string> replace;  // -replace addresses
  std::set<std::string> drift;    // FAKE_TF_DRIFT addresses
};

struct PlanOutcome {
  std::vector<Change> changes;  // in dependency order, no-ops included
  std::vector<Diagnostic> diagnostics;
  std::vector<std::string> drifted;  // existing objects found changed outside Terraform
  bool has_errors() const;
  bool has_changes() const;
};

PlanOutcome plan_changes(const Model& model, const State& prior, const PlanOptions& opts);

// Counts for "Plan: A to add, C to change, D to destroy."
struct ChangeCounts {
  int add = 0, change = 0, destroy = 0;
};
ChangeCounts count_changes(const std::vector<Change>& changes);

// What a refresh reads under `targets` (empty: everything): the targets plus everything they
// depend on, as real Terraform refreshes the whole graph it plans (§4).
std::set<std::string> refresh_scope(const Model& model, const State& prior,
                                    const std::vector<Address>& targets);

}  // namespace fake_tf
