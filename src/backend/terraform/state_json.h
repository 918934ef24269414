#pragma once
// What the Terraform state says (read by state_pull.h from `terraform state
// pull`): which slots exist and which instance the static IP is attached to.
// Outputs can be stale after an interrupted or failed apply (Terraform does not
// re-evaluate outputs whose dependencies did not finish), the state cannot: each
// resource operation is persisted as it completes. Used to correct what
// `output -json` says whenever it may be stale.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "xdeploy/core/cluster_state.h"

namespace xd {

inline constexpr const char* kAttachmentAddress =
    "module.upgrade.aws_lightsail_static_ip_attachment.this";

struct StateFacts {
  std::map<Color, std::string> instances;   // slot instance names in the state
  std::map<Color, std::string> public_ips;  // their public_ip_address as of the last refresh
  std::map<Color, bool> held_static_ip;     // their is_static_ip as of the last refresh
  // Slots whose instance this very read refreshed (a plan's refresh_complete): for them "the
  // last refresh" is now, so is_static_ip says who holds the IP even where the state records
  // no attachment (an apply interrupted after AWS attached it, before Terraform wrote it).
  std::set<Color> read_now;
  std::set<Color> tainted;                 // a create or replace that did not finish
  std::set<Color> firewalls;               // colors whose public_ports resource exists
  std::optional<std::string> attached_to;  // the attachment's instance_name, if it exists
  std::optional<std::string> static_ip;    // aws_lightsail_static_ip.this's ip_address
  std::set<std::string> managed;           // every managed resource instance's address
  // The root outputs as of the last apply, shaped as `terraform output -json` prints them
  // ({name: {value, type, sensitive}}); "{}" when there are none. Holds secrets: never shown.
  std::string outputs_json = "{}";
};

// `state` (from outputs) corrected by the facts: slots whose instance is gone
// are dropped, slots whose instance is still there are added (a failed destroy:
// the outputs follow the configuration, which no longer names the slot, while
// its instance still runs), and the active color is whatever the attachment
// says (none when there is no attachment). Returns a description of each
// correction.
std::vector<std::string> reconcile(ClusterState& state, const StateFacts& facts);

}  // namespace xd
