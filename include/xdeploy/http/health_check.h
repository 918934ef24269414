#pragma once
// What "healthy" means for a slot, as a pure judgement of one response: the
// expected status, an optional body substring, and the slot's identity (the
// service answers `X-Slot: <color>` and `"slot":"<color>"`), so a promote can
// never pass on the wrong slot or the wrong build.
#include <optional>
#include <string>

#include "xdeploy/core/color.h"
#include "xdeploy/http/http_get.h"

namespace xd {

struct HealthExpectation {
  long status = 200;
  std::string body_contains;  // empty: not checked
  std::optional<Color> slot;  // the identity the answer must carry
};

// Empty when healthy, else the reason ("status 503", "answered as blue",
// "connection refused").
std::string judge_health(const HttpResponse& response, const HealthExpectation& expect);

// The color a response says it came from (X-Slot header, else JSON "slot").
std::optional<Color> answered_slot(const HttpResponse& response);

}  // namespace xd
