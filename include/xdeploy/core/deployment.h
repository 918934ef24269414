#pragma once
// Which slots exist and which one is active: the whole blue/green state that
// the planner reasons about. Backends report it; the planner never guesses it.
#include <optional>
#include <string>
#include <string_view>

#include "xdeploy/core/color.h"

namespace xd {

struct Deployment {
  std::optional<Color> active;    // holds the static IP ("prod")
  std::optional<Color> inactive;  // the twin developers iterate on
  // Both slots exist and the static IP is attached to neither: what an
  // interrupted promote can leave (detached, not yet re-attached). Only
  // `promote <color>` moves on from here.
  bool detached_pair = false;

  bool empty() const { return !active && !inactive && !detached_pair; }
  bool has(Color c) const { return detached_pair || active == c || inactive == c; }
  bool is_active(Color c) const { return active == c; }
  bool is_inactive(Color c) const { return inactive == c; }

  // The Terraform `deploy` variable: "inactive,active" (seed-compatible), a
  // single color when there is no twin, "" when nothing is deployed.
  std::string to_deploy_var() const;
  // "blue active, green inactive" / "nothing deployed": for humans.
  std::string describe() const;

  friend bool operator==(const Deployment&, const Deployment&) = default;
};

// Parses the `deploy` variable form. Spaces are trimmed and empty items
// dropped, like the Terraform root module does. Returns nullopt with a reason
// for unknown colors, duplicates or more than two slots.
struct DeployVarError {
  std::string reason;
};
std::optional<Deployment> parse_deploy_var(std::string_view text, DeployVarError* error = nullptr);

}  // namespace xd
