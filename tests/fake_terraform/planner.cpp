#include "planner.h"

#include <fmt/format.h>

#include <algorithm>

namespace fake_tf {

using nlohmann::json;

json action_list(Action a) {
  switch (a) {
    case Action::NoOp:
      return {"no-op"};
    case Action::Create:
      return {"create"};
    case Action::Read:
      return {"read"};
    case Action::Update:
      return {"update"};
    case Action::Delete:
      return {"delete"};
    case Action::Replace:
      return {"delete", "create"};
  }
  return {"no-op"};
}

std::string hook_action(Action a) {
  switch (a) {
    case Action::NoOp:
      return "noop";
    case Action::Create:
      return "create";
    case Action::Read:
      return "read";
    case Action::Update:
      return "update";
    case Action::Delete:
      return "delete";
    case Action::Replace:
      return "replace";
  }
  return "noop";
}

Action action_from_list(const json& list) {
  for (Action a : {Action::NoOp, Action::Create, Action::Read, Action::Update, Action::Delete,
                   Action::Replace})
    if (action_list(a) == list) return a;
  throw std::runtime_error("unknown action list " + list.dump());
}

json Change::to_json() const {
  json refs = json::object();
  for (const auto& [attr, ref] : pending_refs)
    refs[attr] = {{"address", ref.address}, {"attribute", ref.attribute}};
  return {{"address", addr.str()},
          {"provider", provider},
          {"actions", action_list(action)},
          {"before", before},
          {"after", after},
          {"after_unknown", after_unknown},
          {"reason", reason},
          {"pending_refs", refs},
          {"dependencies", dependencies},
          {"read_at_plan", read_at_plan}};
}

Change Change::from_json(const json& j) {
  Change c;
  c.addr = *parse_address(j.at("address").get<std::string>());
  c.provider = j.at("provider");
  c.action = action_from_list(j.at("actions"));
  c.before = j.at("before");
  c.after = j.at("after");
  c.after_unknown = j.at("after_unknown");
  c.reason = j.at("reason");
  for (const auto& [attr, ref] : j.at("pending_refs").items())
    c.pending_refs[attr] = {ref.at("address"), ref.at("attribute")};
  c.dependencies = j.at("dependencies").get<std::vector<std::string>>();
  c.read_at_plan = j.at("read_at_plan");
  return c;
}

bool PlanOutcome::has_errors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == "error"; });
}
bool PlanOutcome::has_changes() const {
  return std::any_of(changes.begin(), changes.end(), [](const Change& c) { return c.is_change(); });
}

ChangeCounts count_changes(const std::vector<Change>& changes) {
  ChangeCounts n;
  for (const auto& c : changes) {
    if (c.action == Action::Create || c.action == Action::Replace) ++n.add;
    if (c.action == Action::Update) ++n.change;
    if (c.action == Action::Delete || c.action == Action::Replace) ++n.destroy;
  }
  return n;
}

namespace {

bool selected_by_any(const std::vector<Address>& targets, const Address& a) {
  return std::any_of(targets.begin(), targets.end(),
                     [&](const Address& t) { return target_selects(t, a); });
}

// Targets plus everything they depend on (ancestors), never dependents (§4).
std::set<std::string> apply_scope(const Model& model, const State& prior,
                                  const std::vector<Address>& targets) {
  std::vector<Address> universe;
  for (const auto& r : model.resources) universe.push_back(r.addr);
  std::set<std::string> scope;
  std::vector<std::string> work;
  for (const auto& r : model.resources)
    if (targets.empty() || selected_by_any(targets, r.addr)) work.push_back(r.addr.str());
  while (!work.empty()) {
    std::string a = work.back();
    work.pop_back();
    if (!scope.insert(a).second) continue;
    for (auto& d : dependencies_of(*parse_address(a), universe)) work.push_back(d);
  }
  for (const Instance* inst : prior.ordered())
    if (!model.find(inst->addr.str()) && (targets.empty() || selected_by_any(targets, inst->addr)))
      scope.insert(inst->addr.str());
  return scope;
}

}  // namespace

std::set<std::string> refresh_scope(const Model& model, const State& prior,
                                    const std::vector<Address>& targets) {
  return apply_scope(model, prior, targets);
}

namespace {

// Destroy targeting: targets plus everything that depends on them.
std::set<std::string> destroy_scope(const State& prior, const std::vector<Address>& targets) {
  std::vector<Address> universe;
  for (const Instance* inst : prior.ordered()) universe.push_back(inst->addr);
  std::set<std::string> scope;
  for (const auto& a : universe)
    if (targets.empty() || selected_by_any(targets, a)) scope.insert(a.str());
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& a : universe) {
      if (scope.count(a.str())) continue;
      for (const auto& d : dependencies_of(a, universe))
        if (scope.count(d)) {
          scope.insert(a.str());
          grew = true;
          break;
        }
    }
  }
  return scope;
}

Diagnostic prevent_destroy_error(const std::string& address) {
  return {"error", "Instance cannot be destroyed",
          fmt::format("Resource {} has lifecycle.prevent_destroy set, but the plan calls for this "
                      "resource to be destroyed. To avoid this error and continue with the plan, "
                      "either disable lifecycle.prevent_destroy or reduce the scope of the plan "
                      "using the -target option.",
                      address),
          address};
}

class Planner {
 public:
  Planner(const Model& m, const State& s, const PlanOptions& o) : model_(m), prior_(s), opts_(o) {
    for (const auto& r : m.resources) universe_.push_back(r.addr);
    for (const Instance* i : s.ordered())
      if (!m.find(i->addr.str())) universe_.push_back(i->addr);
  }

  PlanOutcome run() {
    if (opts_.destroy) {
      plan_destroy();
    } else {
      plan_apply();
    }
    return std::move(out_);
  }

 private:
  void plan_destroy() {
    auto scope = destroy_scope(prior_, opts_.targets);
    for (const Instance* inst : prior_.ordered()) {
      if (inst->addr.mode != "managed" || !scope.count(inst->addr.str())) continue;
      const auto* desired = model_.find(inst->addr.str());
      if (desired && desired->prevent_destroy)
        out_.diagnostics.push_back(prevent_destroy_error(inst->addr.str()));
      Change c = base_change(inst->addr, inst->provider);
      c.action = Action::Delete;
      c.before = inst->attributes;
      c.after = nullptr;
      out_.changes.push_back(std::move(c));
    }
  }

  void plan_apply() {
    auto scope = apply_scope(model_, prior_, opts_.targets);
    for (const auto& r : model_.resources)
      if (scope.count(r.addr.str())) plan_desired(r);
    for (const Instance* inst : prior_.ordered()) {
      if (model_.find(inst->addr.str()) || !scope.count(inst->addr.str())) continue;
      if (inst->addr.mode == "data") continue;  // data sources leave state without a change
      Change c = base_change(inst->addr, inst->provider);
      c.action = Action::Delete;
      c.before = inst->attributes;
      c.after = nullptr;
      auto color = addr::slot_color(inst->addr);
      bool module_gone = color && std::find(model_.colors.begin(), model_.colors.end(), *color) ==
                                      model_.colors.end();
      module_gone =
          module_gone || (inst->addr.modules.size() > 0 &&
                          inst->addr.modules[0].name == "upgrade" && model_.colors.empty());
      c.reason = module_gone ? "delete_because_no_module" : "delete_because_no_resource_config";
      record(std::move(c));
    }
  }

  Change base_change(const Address& a, const std::string& provider) const {
    Change c;
    c.addr = a;
    c.provider = provider;
    c.dependencies = dependencies_of(a, universe_);
    return c;
  }

  void plan_desired(const DesiredResource& r) {
    Change c = base_change(r.addr, r.provider);
    const Instance* prior = prior_.find(r.addr.str());
    if (r.addr.mode == "data") {
      plan_data(r, c, prior);
      return;
    }
    c.after = r.config;
    for (const auto& [attr, ref] : r.refs) {
      if (auto known = known_value(ref)) {
        c.after[attr] = *known;
      } else {
        c.pending_refs[attr] = ref;
        c.after.erase(attr);
        c.after_unknown[attr] = true;
      }
    }
    if (!prior) {
      c.action = Action::Create;
      c.before = nullptr;
      for (const auto& k : r.computed) c.after_unknown[k] = true;
      record(std::move(c));
      return;
    }
    c.before = prior->attributes;
    bool requires_new = false;
    bool differs = false;
    for (const auto& [k, v] : r.config.items()) {
      if (r.ignore_changes.count(k)) {
        c.after[k] = prior->attributes.value(k, json());  // kept as it is in state
        continue;
      }
      if (prior->attributes.value(k, json()) == v) continue;
      differs = true;
      requires_new = requires_new || r.force_new.count(k);
    }
    for (const auto& [attr, ref] : r.refs) {
      bool changed =
          c.pending_refs.count(attr) || prior->attributes.value(attr, json()) != c.after[attr];
      differs = differs || changed;
      requires_new = requires_new || (changed && r.force_new.count(attr));
    }
    bool requested = opts_.replace.count(r.addr.str()) > 0;
    bool triggered = std::any_of(
        r.replace_triggered_by.begin(), r.replace_triggered_by.end(), [&](const std::string& t) {
          auto it = planned_.find(t);
          return it != planned_.end() && it->second != Action::NoOp && it->second != Action::Read;
        });
    bool drifted = opts_.refresh && opts_.drift.count(r.addr.str()) > 0;
    if (drifted) out_.drifted.push_back(r.addr.str());
    if (requested || triggered || requires_new || drifted) {
      c.action = Action::Replace;
      // A new object is built from the current configuration, ignored attributes included.
      for (const auto& k : r.ignore_changes)
        if (r.config.contains(k)) c.after[k] = r.config[k];
      c.reason = requested   ? "replace_by_request"
                 : triggered ? "replace_by_triggers"
                             : "replace_because_cannot_update";
      for (const auto& k : r.computed) c.after_unknown[k] = true;
      if (r.prevent_destroy) out_.diagnostics.push_back(prevent_destroy_error(r.addr.str()));
    } else if (differs) {
      c.action = Action::Update;
      json merged = prior->attributes;
      merged.update(c.after);
      for (const auto& k : r.computed_on_update) {
        merged.erase(k);
        c.after_unknown[k] = true;
      }
      for (const auto& [attr, ref] : c.pending_refs) merged.erase(attr);
      c.after = merged;
    } else {
      c.after = prior->attributes;
    }
    record(std::move(c));
  }

  // §5.6: read now unless the active slot it checks has changes pending.
  void plan_data(const DesiredResource& r, Change& c, const Instance* prior) {
    bool pending = false;
    for (const auto& [a, action] : planned_) {
      auto color = addr::slot_color(*parse_address(a));
      if (color && *color == model_.active && action != Action::NoOp) pending = true;
    }
    c.before = prior ? prior->attributes : json();
    c.after = r.config;
    if (pending) {
      c.action = Action::Read;
      c.reason = "read_because_dependency_pending";
      for (const auto& k : r.computed) c.after_unknown[k] = true;
    } else {
      c.read_at_plan = true;
    }
    record(std::move(c));
  }

  std::optional<json> known_value(const Reference& ref) const {
    auto it = planned_.find(ref.address);
    const Instance* inst = prior_.find(ref.address);
    bool unchanged = it == planned_.end() || it->second == Action::NoOp;
    if (!unchanged || !inst || !inst->attributes.contains(ref.attribute)) return std::nullopt;
    return inst->attributes.at(ref.attribute);
  }

  void record(Change c) {
    planned_[c.addr.str()] = c.action;
    out_.changes.push_back(std::move(c));
  }

  const Model& model_;
  const State& prior_;
  const PlanOptions& opts_;
  std::vector<Address> universe_;
  std::map<std::string, Action> planned_;
  PlanOutcome out_;
};

}  // namespace

PlanOutcome plan_changes(const Model& model, const State& prior, const PlanOptions& opts) {
  return Planner(model, prior, opts).run();
}

}  // namespace fake_tf
