#pragma once
// `terraform output -json` -> ClusterState. The contract's outputs are
// `active` (color or null), `slots` ({color: {instance_name, public_ip,
// health_url}}), `static_ip` and `health_url`; an empty state prints `{}`.
// Anything else (malformed JSON, an unknown color, an active color without a
// slot) is an error: xdeploy never plans from a state it does not understand.
#include <optional>
#include <string>
#include <string_view>

#include "xdeploy/core/cluster_state.h"

namespace xd {

struct OutputsError {
  std::string reason;
};

std::optional<ClusterState> parse_outputs(std::string_view json_text, OutputsError* error);

}  // namespace xd
