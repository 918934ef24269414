#pragma once
// Remembers recent alert keys so a TradingView double delivery is answered 409
// and never quoted or executed twice. reserve() is atomic: of two concurrent
// identical alerts exactly one gets the reservation.
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace xecutor {

class DedupWindow {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  DedupWindow(std::chrono::steady_clock::duration window, Clock clock);

  // True when the key was free (now reserved for `window`), false for a duplicate.
  bool reserve(const std::string& key);
  // Frees a reservation whose request failed before anything reached FalconX's
  // trading side, so a retry of the same alert can go through.
  void release(const std::string& key);
  std::size_t size() const;

 private:
  void forget_expired(std::chrono::steady_clock::time_point now);
  std::chrono::steady_clock::duration window_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> reserved_at_;
  // Reservations in time order, so expiry is O(1) per entry however busy the window is.
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> by_time_;
};

}  // namespace xecutor
