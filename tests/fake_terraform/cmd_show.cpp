// `terraform show [-json] [PLANFILE]`: the plan JSON (resource_changes, output_changes,
// prior_state...) or the state JSON of facts §1.8.
#include <fmt/format.h>

#include "clock_ids.h"
#include "command_context.h"
#include "config_model.h"
#include "outputs.h"
#include "plan_file.h"
#include "plan_render.h"
#include "planted_secret.h"
#include "state_store.h"

namespace fake_tf {

using nlohmann::json;

namespace {

json state_values(const State& s) {
  json outputs = json::object();
  for (const auto& [name, o] : s.outputs.items())
    outputs[name] = {{"sensitive", false}, {"value", o["value"]}, {"type", o["type"]}};
  json root = json::array();
  std::map<std::string, json> children;
  for (const Instance* inst : s.ordered()) {
    json r{{"address", inst->addr.str()},     {"mode", inst->addr.mode},
           {"type", inst->addr.type},         {"name", inst->addr.name},
           {"provider_name", inst->provider}, {"schema_version", 0},
           {"values", inst->attributes},      {"sensitive_values", json::object()}};
    if (inst->addr.key) r["index"] = json::parse(*inst->addr.key);
    if (!inst->dependencies.empty()) r["depends_on"] = inst->dependencies;
    if (inst->addr.modules.empty()) {
      root.push_back(r);
    } else {
      children[inst->addr.module_string()].push_back(r);
    }
  }
  json root_module{{"resources", root}};
  if (!children.empty()) {
    json mods = json::array();
    for (auto& [address, resources] : children)
      mods.push_back({{"address", address}, {"resources", resources}});
    root_module["child_modules"] = mods;
  }
  return {{"outputs", outputs}, {"root_module", root_module}};
}

json state_document(const State& s) {
  if (s.empty() && s.outputs.empty()) return {{"format_version", "1.0"}};
  return {{"format_version", "1.0"},
          {"terraform_version", kTerraformVersion},
          {"values", state_values(s)}};
}

json resource_change(const Change& c) {
  json r{{"address", c.addr.str()},
         {"mode", c.addr.mode},
         {"type", c.addr.type},
         {"name", c.addr.name},
         {"provider_name", c.provider},
         {"change",
          {{"actions", action_list(c.action)},
           {"before", c.before},
           {"after", c.after},
           {"after_unknown", c.after_unknown},
           {"before_sensitive", c.before.is_null() ? json(false) : json::object()},
           {"after_sensitive", c.after.is_null() ? json(false) : json::object()}}}};
  if (!c.addr.modules.empty()) r["module_address"] = c.addr.module_string();
  if (c.addr.key) r["index"] = json::parse(*c.addr.key);
  if (!c.reason.empty()) r["action_reason"] = c.reason;
  return r;
}

// Output changes: prior outputs against the state the plan would leave (unknown when a
// resource feeding them is being created or replaced).
json output_changes(const SavedPlan& p, const FakeConfig& cfg, const State& prior) {
  State predicted = prior;
  bool unknown = false;
  for (const auto& c : p.changes) {
    if (c.action == Action::Delete) predicted.erase(c.addr.str());
    if (c.action == Action::Create || c.action == Action::Replace || c.action == Action::Update) {
      json after = c.after;
      for (const auto& [attr, ref] : c.pending_refs) {
        const Instance* src = predicted.find(ref.address);
        if (src && src->attributes.contains(ref.attribute))
          after[attr] = src->attributes.at(ref.attribute);
      }
      predicted.put({c.addr, c.provider, after, {}});
      unknown = true;
    }
  }
  json before = p.prior_outputs;
  json after = compute_outputs(predicted, cfg);
  json out = json::object();
  std::set<std::string> names;
  for (const auto& [k, v] : before.items()) names.insert(k);
  for (const auto& [k, v] : after.items()) names.insert(k);
  for (const auto& name : names) {
    json b = before.contains(name) ? before[name]["value"] : json();
    json a = after.contains(name) ? after[name]["value"] : json();
    std::string action = b.is_null()   ? "create"
                         : a.is_null() ? "delete"
                         : b == a      ? "no-op"
                                       : "update";
    bool after_unknown = unknown && action != "no-op" && action != "delete";
    out[name] = {{"actions", {action}},
                 {"before", b},
                 {"after", after_unknown ? json() : a},
                 {"after_unknown", after_unknown},
                 {"before_sensitive", false},
                 {"after_sensitive", false}};
  }
  return out;
}

json plan_document(const SavedPlan& p, const FakeConfig& cfg) {
  State prior;
  prior.outputs = p.prior_outputs;
  // The prior state as the plan saw it is the current one when the plan is not stale; the plan
  // file keeps only serial/lineage, so rebuild it from the changes' "before" values.
  for (const auto& c : p.changes)
    if (!c.before.is_null() && c.addr.mode == "managed")
      prior.put({c.addr, c.provider, c.before, c.dependencies});
  json changes = json::array();
  bool has_changes = false;
  std::vector<const Change*> sorted;
  for (const auto& c : p.changes)
    if (!c.read_at_plan) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(),
            [](const Change* a, const Change* b) { return a->addr.str() < b->addr.str(); });
  for (const Change* c : sorted) {
    changes.push_back(resource_change(*c));
    has_changes = has_changes || c->is_change();
  }
  const json outputs = output_changes(p, cfg, prior);
  // Terraform: a plan is applyable when resources or root outputs change.
  for (const auto& [name, oc] : outputs.items())
    has_changes = has_changes || oc["actions"] != json::array({"no-op"});
  json doc{{"format_version", "1.2"},   {"terraform_version", kTerraformVersion},
           {"variables", p.variables},  {"resource_changes", changes},
           {"output_changes", outputs}, {"prior_state", state_document(prior)},
           {"applyable", has_changes},  {"complete", p.targets.empty()},
           {"errored", false},          {"timestamp", rfc3339_nano_now()}};
  if (!p.targets.empty()) doc["target_addrs"] = p.targets;
  return doc;
}

}  // namespace

int run_show(CommandContext& ctx) {
  bool as_json = false, no_color = false;
  FlagSet f;
  f.boolean("json", &as_json);
  f.boolean("no-color", &no_color);
  int code = 0;
  auto rest = parse_flags(ctx, f, code);
  if (!rest) return code;
  View& v = ctx.view;
  v.set_json(false);  // show -json prints one document, not the streaming UI
  if (rest->size() > 1) {
    v.error("Too many command line arguments", "Expected at most one positional argument.");
    return 1;
  }
  FakeConfig cfg;
  try {
    cfg = load_fake_config(ctx.workdir);
  } catch (const std::exception& e) {
    v.error("Invalid fake terraform configuration", e.what());
    return 1;
  }
  if (!rest->empty()) {
    SavedPlan plan;
    try {
      plan = read_plan_file((*rest)[0]);
    } catch (const std::exception& e) {
      v.error("Failed to read the given file as a state or plan file",
              fmt::format("State read error: Error loading statefile: {}\n\nPlan read error: {}",
                          e.what(), e.what()));
      return 1;
    }
    if (as_json) {
      json doc = plan_document(plan, cfg);
      plant_in_plan(doc);
      v.out(doc.dump() + "\n");
    } else {
      render_plan(v, plan.changes, plan.destroy);
    }
    return 0;
  }
  std::optional<State> loaded = load_state_or_report(ctx);
  if (!loaded) return 1;
  State& state = *loaded;
  if (as_json) {
    json doc = state_document(state);
    plant_in_state(doc);
    v.out(doc.dump() + "\n");
    return 0;
  }
  if (state.empty()) {
    v.out("No state.\n");
    return 0;
  }
  std::string text;
  for (const Instance* inst : state.ordered()) {
    text += fmt::format("# {}:\n{} \"{}\" \"{}\" {{\n", inst->addr.str(),
                        inst->addr.mode == "data" ? "data" : "resource", inst->addr.type,
                        inst->addr.name);
    for (const auto& [k, val] : inst->attributes.items())
      text += fmt::format("    {} = {}\n", k, val.dump());
    text += "}\n\n";
  }
  if (!state.outputs.empty()) {
    text += "\nOutputs:\n\n";
    for (const auto& [name, o] : state.outputs.items())
      text += fmt::format("{} = {}\n", name, render_value(o["value"]));
  }
  v.out(text);
  return 0;
}

}  // namespace fake_tf
