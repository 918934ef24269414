#include "plan_render.h"

#include <fmt/format.h>

#include <algorithm>

namespace fake_tf {

using nlohmann::json;

json hook_resource_json(const Address& a) {
  std::string provider = a.type.substr(0, a.type.find('_'));
  return {{"addr", a.str()},
          {"module", a.module_string()},
          {"resource", (a.mode == "data" ? "data." : "") + a.type + "." + a.name},
          {"implied_provider", provider},
          {"resource_type", a.type},
          {"resource_name", a.name},
          {"resource_key", a.key ? json::parse(*a.key) : json()}};
}

namespace {

std::string headline(const Change& c) {
  const std::string a = c.addr.str();
  switch (c.action) {
    case Action::Create:
      return fmt::format("  # {} will be created", a);
    case Action::Update:
      return fmt::format("  # {} will be updated in-place", a);
    case Action::Read:
      return fmt::format(
          "  # {} will be read during apply\n  # (depends on a resource or a module "
          "with changes pending)",
          a);
    case Action::Delete: {
      std::string s = fmt::format("  # {} will be destroyed", a);
      if (c.reason == "delete_because_no_module")
        s += fmt::format("\n  # (because {} is not in configuration)", c.addr.module_string());
      if (c.reason == "delete_because_no_resource_config")
        s += fmt::format("\n  # (because {}.{} is not in configuration)", c.addr.type, c.addr.name);
      return s;
    }
    case Action::Replace:
      if (c.reason == "replace_by_request")
        return fmt::format("  # {} will be replaced, as requested", a);
      if (c.reason == "replace_by_triggers")
        return fmt::format("  # {} will be replaced due to changes in replace_triggered_by", a);
      return fmt::format("  # {} must be replaced", a);
    case Action::NoOp:
      break;
  }
  return "";
}

std::string symbol(Action a) {
  switch (a) {
    case Action::Create:
      return "+";
    case Action::Update:
      return "~";
    case Action::Delete:
      return "-";
    case Action::Replace:
      return "-/+";
    case Action::Read:
      return " <=";
    case Action::NoOp:
      break;
  }
  return " ";
}

std::string body(const Change& c) {
  std::string kind = c.addr.mode == "data" ? "data" : "resource";
  std::string s =
      fmt::format("{} {} \"{}\" \"{}\" {{\n", symbol(c.action), kind, c.addr.type, c.addr.name);
  json shown = c.action == Action::Delete ? c.before : c.after;
  std::vector<std::string> keys;
  if (shown.is_object())
    for (const auto& [k, v] : shown.items()) keys.push_back(k);
  for (const auto& [k, v] : c.after_unknown.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::string line_symbol = c.action == Action::Delete   ? "-"
                            : c.action == Action::Update ? "~"
                                                         : "+";
  for (const auto& k : keys) {
    std::string value = c.after_unknown.contains(k) ? "(known after apply)" : shown[k].dump();
    s += fmt::format("      {} {} = {}\n", line_symbol, k, value);
  }
  return s + "    }\n";
}

}  // namespace

void render_plan(const View& view, const std::vector<Change>& changes, bool destroy) {
  std::vector<const Change*> shown;
  for (const auto& c : changes)
    if (c.is_change()) shown.push_back(&c);
  std::sort(shown.begin(), shown.end(),
            [](const Change* a, const Change* b) { return a->addr.str() < b->addr.str(); });
  for (const Change* c : shown) {
    json change{{"resource", hook_resource_json(c->addr)}, {"action", hook_action(c->action)}};
    if (!c->reason.empty()) change["reason"] = c->reason;
    std::string verb = hook_action(c->action);
    view.message("info", fmt::format("{}: Plan to {}", c->addr.str(), verb), "planned_change",
                 {{"change", change}});
  }
  ChangeCounts counts = count_changes(changes);
  render_change_summary(view, counts, destroy ? "destroy" : "plan", true);
  if (shown.empty()) {
    view.out(
        "\nNo changes. Your infrastructure matches the configuration.\n\nTerraform has compared "
        "your real infrastructure against your configuration\nand found no differences, so no "
        "changes are needed.\n");
    return;
  }
  std::string text =
      "\nTerraform used the selected providers to generate the following execution\nplan. "
      "Resource actions are indicated with the following symbols:\n";
  for (Action a : {Action::Create, Action::Update, Action::Delete, Action::Replace, Action::Read}) {
    if (std::none_of(shown.begin(), shown.end(), [a](const Change* c) { return c->action == a; }))
      continue;
    static const std::map<Action, std::string> kLegend{
        {Action::Create, "  + create"},
        {Action::Update, "  ~ update in-place"},
        {Action::Delete, "  - destroy"},
        {Action::Replace, "-/+ destroy and then create replacement"},
        {Action::Read, " <= read (data resources)"}};
    text += kLegend.at(a) + "\n";
  }
  text += "\nTerraform will perform the following actions:\n\n";
  for (const Change* c : shown) text += headline(*c) + "\n  " + body(*c) + "\n";
  text += fmt::format("Plan: {} to add, {} to change, {} to destroy.\n", counts.add, counts.change,
                      counts.destroy);
  view.out(text);
}

void render_change_summary(const View& view, const ChangeCounts& n, const std::string& operation,
                           bool plan_phase) {
  std::string msg;
  if (plan_phase) {
    msg = fmt::format("Plan: {} to add, {} to change, {} to destroy.", n.add, n.change, n.destroy);
  } else if (operation == "apply") {
    msg = fmt::format("Apply complete! Resources: {} added, {} changed, {} destroyed.", n.add,
                      n.change, n.destroy);
  } else {
    msg = fmt::format("Destroy complete! Resources: {} destroyed.", n.destroy);
  }
  view.message("info", msg, "change_summary",
               {{"changes",
                 {{"add", n.add},
                  {"change", n.change},
                  {"import", 0},
                  {"remove", n.destroy},
                  {"action_invocation", 0},
                  {"operation", operation}}}});
}

}  // namespace fake_tf
