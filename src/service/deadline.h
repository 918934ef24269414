#pragma once
// The alert's time budget (XECUTOR_ALERT_DEADLINE), from the moment its
// connection was accepted: every FalconX call gets what is left of it, capped
// per call (XECUTOR_FALCONX_TIMEOUT_MS).
#include <algorithm>
#include <chrono>
#include <functional>
#include <utility>

namespace xecutor {

class Deadline {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // The budget counts from `start`: when the alert's connection was accepted,
  // so its wait in the queue is part of it (BoundedServer::request_started_at).
  Deadline(std::chrono::steady_clock::time_point start, std::chrono::milliseconds budget,
           std::chrono::milliseconds per_call_cap, Clock clock = std::chrono::steady_clock::now)
      : clock_(std::move(clock)), end_(start + budget), cap_(per_call_cap) {}
  // The budget counts from now.
  Deadline(std::chrono::milliseconds budget, std::chrono::milliseconds per_call_cap,
           Clock clock = std::chrono::steady_clock::now)
      : clock_(std::move(clock)), end_(clock_() + budget), cap_(per_call_cap) {}
  std::chrono::milliseconds left() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(end_ - clock_());
  }
  std::chrono::milliseconds for_call() const { return std::min(left(), cap_); }
  bool passed() const { return left() <= std::chrono::milliseconds(0); }

 private:
  Clock clock_;
  std::chrono::steady_clock::time_point end_;
  std::chrono::milliseconds cap_;
};

}  // namespace xecutor
