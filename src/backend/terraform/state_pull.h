#pragma once
// `terraform state pull` (the raw state file, format version 4) -> the same
// StateFacts `show -json` gives. Why this and not `show -json`: show starts
// every provider plugin to load its schema (seconds with hashicorp/aws), state
// pull reads the backend and prints the bytes, no provider involved. Like
// show, it takes no state lock. Its output holds secrets in clear (instance
// user_data, sensitive attributes, outputs): never echo it.
#include <optional>
#include <string>
#include <string_view>

#include "state_json.h"

namespace xd {

// Empty output is an empty state: Terraform prints nothing when there is no
// state yet. Anything else must be a version-4 state document.
std::optional<StateFacts> parse_state_pull(std::string_view raw_state, std::string* error);

}  // namespace xd
