#include "xdeploy/http/health_gate.h"

#include <poll.h>

#include <algorithm>

#include "xdeploy/process/interrupts.h"

namespace xd {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr size_t kKeptAttempts = 5;
constexpr milliseconds kMinRequestTimeout{100};

milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// Sleeps up to `duration`; returns false as soon as an interrupt arrives.
bool sleep_unless_interrupted(milliseconds duration, int interrupts_before) {
  const auto until = Clock::now() + duration;
  for (;;) {
    drain_interrupt_fd();  // then re-check the counter: no wake-up can be lost in between
    if (interrupt_count() > interrupts_before) return false;
    const auto left = std::chrono::ceil<milliseconds>(until - Clock::now());
    if (left.count() <= 0) return true;
    pollfd fd{interrupt_fd(), POLLIN, 0};
    poll(&fd, 1, static_cast<int>(left.count()));
  }
}

void remember(GateResult* result, const GateAttempt& attempt) {
  result->last_attempts.push_back(attempt);
  if (result->last_attempts.size() > kKeptAttempts)
    result->last_attempts.erase(result->last_attempts.begin());
}

}  // namespace

GateResult run_health_gate(const std::string& url, const HealthExpectation& expect,
                           const GatePolicy& policy, const GateProgress& progress) {
  GateResult result;
  const auto start = Clock::now();
  const auto deadline = start + policy.deadline;
  const int interrupts_before = interrupt_count();
  HttpOptions options;
  options.insecure = policy.insecure;
  options.ca_file = policy.ca_file;
  options.server_name = policy.server_name;
  options.cancel = [&] { return interrupt_count() > interrupts_before; };

  for (;;) {
    // A request does not run (much) past the gate's deadline.
    const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
    options.timeout = std::min(policy.request_timeout, std::max(left, kMinRequestTimeout));
    GateAttempt attempt;
    attempt.number = ++result.attempts;
    attempt.at = since(start);
    const HttpResponse response = http_get(url, options);
    if (interrupt_count() > interrupts_before) {
      result.interrupted = true;
      break;
    }
    attempt.status = response.status;
    attempt.verdict = judge_health(response, expect);
    result.last_body = response.body.substr(0, kGateBodyExcerpt);
    remember(&result, attempt);
    if (progress) progress(attempt);
    if (attempt.verdict.empty()) {
      result.passed = true;
      break;
    }
    const auto remaining = std::chrono::ceil<milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0) break;
    if (!sleep_unless_interrupted(std::min(policy.interval, remaining), interrupts_before)) {
      result.interrupted = true;
      break;
    }
    if (Clock::now() >= deadline) break;  // no attempt starts after the deadline
  }
  result.elapsed = since(start);
  return result;
}

bool worth_a_log_line(int attempt_number, const std::string& verdict,
                      const std::string& last_logged_verdict) {
  const bool power_of_two = attempt_number > 0 && (attempt_number & (attempt_number - 1)) == 0;
  return attempt_number == 1 || verdict != last_logged_verdict || power_of_two;
}

}  // namespace xd
