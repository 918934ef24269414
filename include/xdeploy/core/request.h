#pragma once
// A user's intention, already parsed from the command line: one verb, maybe a
// color, maybe --force. The planner turns it plus the current Deployment into
// a Decision.
#include <optional>
#include <string_view>

#include "xdeploy/core/color.h"

namespace xd {

enum class Verb {
  Deploy,    // `xdeploy blue|green`: first deploy, or make that color the only one
  Teal,      // create the inactive twin
  Replace,   // `~green` / `replace green`: force-replace the inactive slot
  Promote,   // health gate, then move the static IP
  Rollback,  // promote the inactive slot back
  Cleanup,   // destroy the inactive slot
};

std::string_view to_string(Verb v);

struct Request {
  Verb verb = Verb::Deploy;
  std::optional<Color> color;  // required for Deploy, Replace, Promote
  bool force = false;          // may touch the active slot's instance

  // "promote green", "~green", "teal": how the user would type it.
  std::string display() const;
};

}  // namespace xd
