#include "plan_stream.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace xd {

namespace {

using nlohmann::json;

struct Unreadable {
  std::string reason;
};

// `change` of a planned_change / resource_drift event (views/json/change.go).
ResourceChange read_change(const json& event, const char* type) {
  const auto change = event.value("change", json());
  if (!change.is_object()) throw Unreadable{fmt::format("a {} event has no change", type)};
  const auto resource = change.value("resource", json());
  if (!resource.is_object() || !resource.contains("addr") || !resource.at("addr").is_string())
    throw Unreadable{fmt::format("a {} event has no resource address", type)};
  ResourceChange rc;
  rc.address = resource.at("addr").get<std::string>();
  const auto action = change.value("action", json());
  if (!action.is_string())
    throw Unreadable{fmt::format("{} event for {} has no action", type, rc.address)};
  rc.actions = actions_of_ui_action(action.get<std::string>());
  if (rc.actions.empty())
    throw Unreadable{fmt::format("{} for {} has an action xdeploy does not know: \"{}\"", type,
                                 rc.address, action.get<std::string>())};
  rc.importing = change.contains("importing") && !change.at("importing").is_null();
  return rc;
}

PlanSummary read_summary(const json& event) {
  const auto changes = event.value("changes", json());
  if (!changes.is_object()) throw Unreadable{"change_summary has no changes"};
  auto count = [&](const char* key) {
    const auto v = changes.value(key, json(0));
    if (!v.is_number_integer() || v.get<int>() < 0)
      throw Unreadable{fmt::format("change_summary.{} is not a count", key)};
    return v.get<int>();
  };
  return {count("add"), count("change"), count("remove"), count("import")};
}

size_t count_output_changes(const json& event) {
  size_t n = 0;
  const auto outputs = event.value("outputs", json());
  if (!outputs.is_object()) return 0;
  for (const auto& [name, o] : outputs.items())
    if (o.is_object() && o.value("action", std::string("noop")) != "noop") ++n;
  return n;
}

}  // namespace

std::vector<std::string> actions_of_ui_action(std::string_view action) {
  if (action == "create") return {"create"};
  if (action == "update") return {"update"};
  if (action == "delete") return {"delete"};
  if (action == "replace") return {"delete", "create"};
  if (action == "read") return {"read"};
  if (action == "noop") return {"no-op"};
  if (action == "remove") return {"forget"};  // "forget" in the plan JSON (removed blocks)
  if (action == "move") return {"no-op"};     // a moved block: same object, new address
  return {};
}

void PlanStreamReader::line(std::string_view text) {
  const auto event = json::parse(text, nullptr, false);
  if (!event.is_object()) return;
  const auto type = event.value("type", std::string());
  try {
    if (type == "planned_change") {
      stream_.changes.push_back(read_change(event, "planned_change"));
    } else if (type == "resource_drift") {
      stream_.drift.push_back(read_change(event, "resource_drift"));
    } else if (type == "refresh_complete") {
      const auto addr = event.value("hook", json::object()).value("resource", json::object());
      // One without an address is skipped: that only narrows what counts as read just now.
      if (addr.is_object() && addr.value("addr", json()).is_string())
        stream_.refreshed.push_back(addr.at("addr").get<std::string>());
    } else if (type == "change_summary") {
      const auto op = event.value("changes", json::object()).value("operation", "plan");
      if (op == "plan") stream_.summary = read_summary(event);
    } else if (type == "outputs") {
      stream_.output_changes = count_output_changes(event);
    } else if (type == "diagnostic" && event.value("@level", "") == "error") {
      // As Terraform prints it without -json: "Error: <summary>", a blank line, the detail.
      const auto diagnostic = event.value("diagnostic", json::object());
      std::string text = event.value("@message", std::string("Error"));
      if (diagnostic.is_object() && diagnostic.value("detail", json()).is_string())
        text += "\n\n" + diagnostic.at("detail").get<std::string>();
      stream_.errors.push_back(text);
    }
  } catch (const Unreadable& u) {
    if (unreadable_.empty()) unreadable_ = u.reason;
  }
}

std::string PlanStreamReader::check() const {
  if (!unreadable_.empty()) return unreadable_;
  if (!stream_.summary) return "the plan's -json stream has no change_summary";
  PlanSummary seen;
  for (const auto& c : stream_.changes) {
    if (c.importing) ++seen.import;
    for (const auto& a : c.actions) {
      if (a == "create") ++seen.add;
      if (a == "update") ++seen.change;
      if (a == "delete") ++seen.remove;
    }
  }
  const auto& s = *stream_.summary;
  if (seen.add != s.add || seen.change != s.change || seen.remove != s.remove ||
      seen.import != s.import)
    return fmt::format(
        "the plan's summary ({} to add, {} to change, {} to destroy, {} to import) does not "
        "match its {} planned_change event(s) ({}, {}, {}, {})",
        s.add, s.change, s.remove, s.import, stream_.changes.size(), seen.add, seen.change,
        seen.remove, seen.import);
  return {};
}

}  // namespace xd
