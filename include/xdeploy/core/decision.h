#pragma once
// What the planner decides for a Request in a given Deployment: a Plan of
// steps, a Noop (the goal already holds), or a Refusal (with the reason and
// what to do instead). Pure data.
#include <string>
#include <variant>
#include <vector>

#include "xdeploy/core/exit_code.h"
#include "xdeploy/core/request.h"
#include "xdeploy/core/step.h"

namespace xd {

struct Plan {
  Request request;
  Deployment from;
  Deployment to;
  std::vector<Step> steps;
  bool destructive = false;  // destroys a slot or touches the active one: confirm on a terminal
};

struct Noop {
  std::string message;  // why there is nothing to do
};

struct Refusal {
  ExitCode code = ExitCode::Refused;
  std::string reason;  // what is wrong, one line
  std::string hint;    // what to do next
};

using Decision = std::variant<Plan, Noop, Refusal>;

}  // namespace xd
