#pragma once
// The /health answer: the slot's identity, which the deploy tool's health gate
// and downtime prober compare with the slot they expect. Computed once at
// startup because /health must stay cheap.
#include <string>

namespace xecutor {

struct Identity {
  std::string slot;     // "blue" or "green"
  std::string version;  // the build id (XD_BUILD_ID)
  std::string mode;     // "paper" or "live"
};

// {"status":"ok","slot":...,"version":...,"mode":...,"halted":...}
// `halted`: the kill switch refuses orders (the slot still answers).
std::string health_body(const Identity& identity, bool halted);

}  // namespace xecutor
