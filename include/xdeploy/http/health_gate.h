#pragma once
// The native health gate run before any static-IP move: GET the slot's
// health_url until it is healthy or the deadline passes.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xdeploy/http/health_check.h"

namespace xd {

struct GatePolicy {
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds interval{2000};
  std::chrono::milliseconds deadline{300000};
  bool insecure = false;
  std::string ca_file;      // HttpOptions::ca_file
  std::string server_name;  // HttpOptions::server_name
};

struct GateAttempt {
  int number = 0;
  std::chrono::milliseconds at{0};  // since the gate started
  long status = 0;
  std::string verdict;  // "" healthy, else the reason
};

// How much of the last response body a GateResult keeps for the failure report.
inline constexpr size_t kGateBodyExcerpt = 2048;

struct GateResult {
  bool passed = false;
  bool interrupted = false;
  int attempts = 0;
  std::chrono::milliseconds elapsed{0};
  std::vector<GateAttempt> last_attempts;  // up to the last 5, oldest first
  std::string last_body;  // excerpt of the last response body (for the failure report)
  // The slot the last answer named, healthy or not: an address that answers as the slot
  // is the slot's, even while it still boots.
  std::optional<Color> answered_as;
};

using GateProgress = std::function<void(const GateAttempt&)>;

// Whether an attempt deserves a line in a log that cannot be rewritten in
// place (CI, a pipe): the first one, any whose verdict differs from the last
// line's, and attempts 2, 4, 8, 16 ... so a ten-minute gate polling every two
// seconds leaves about ten lines instead of three hundred, yet a stuck slot
// still shows that the gate is alive.
bool worth_a_log_line(int attempt_number, const std::string& verdict,
                      const std::string& last_logged_verdict);

// Returns as soon as one attempt is healthy. Between attempts it sleeps
// `interval` but wakes at once on Ctrl-C (interrupts.h).
GateResult run_health_gate(const std::string& url, const HealthExpectation& expect,
                           const GatePolicy& policy, const GateProgress& progress);

}  // namespace xd
