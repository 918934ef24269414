#pragma once
// `terraform plan -json` (the machine-readable UI, one JSON object per line) -> the resource
// changes the guard checks, read from the stream the plan prints anyway. Why not
// `show -json PLANFILE`: it starts every provider plugin for its schema (2.9 s with
// hashicorp/aws on the project's machine), only to print what the plan already streamed.
//
// Each change is one `planned_change` event (address + action); `change_summary` closes
// the plan with the counts. The counts are checked against the events, so an event that
// was missed, garbled or renamed by a future Terraform is a refusal, never a pass.
// `resource_drift` events (what the refresh found changed outside Terraform) are kept
// for the drift check (plan_file.h compares the plan's two states for the same thing).
// `refresh_complete` events say which resources the plan read from the world: a targeted
// plan reads only its targets and what they depend on, the rest of its state is as recorded.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xdeploy/core/change_guard.h"

namespace xd {

struct PlanSummary {
  int add = 0;
  int change = 0;
  int remove = 0;
  int import = 0;
};

struct PlanStream {
  std::vector<ResourceChange> changes;  // planned_change, in stream order
  std::vector<ResourceChange> drift;    // resource_drift: what the refresh found changed
  std::vector<std::string> refreshed;   // refresh_complete: resources this plan read just now
  std::optional<PlanSummary> summary;   // change_summary (operation "plan")
  size_t output_changes = 0;            // root outputs whose value would change
  std::vector<std::string> errors;      // error diagnostics as text: summary, blank line, detail
};

class PlanStreamReader {
 public:
  // One line of stdout. Lines that are not JSON objects (a wrapper's banner) and event
  // types this reader does not know are ignored, as Terraform's docs ask of consumers;
  // a known event it cannot read is remembered and makes check() fail.
  void line(std::string_view text);
  const PlanStream& stream() const { return stream_; }
  // Why the stream cannot be vouched for (empty: it can): no change_summary, a
  // malformed known event, or counts that disagree with the planned_change events.
  std::string check() const;

 private:
  PlanStream stream_;
  std::string unreadable_;
};

// Terraform's JSON UI action ("create", "replace", "noop", ...) as the plan JSON's
// action list ({"delete","create"} for a replace); empty for an action it does not know.
std::vector<std::string> actions_of_ui_action(std::string_view action);

}  // namespace xd
