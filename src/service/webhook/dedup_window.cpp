#include "falcon_xecutor/webhook/dedup_window.h"

namespace xecutor {

DedupWindow::DedupWindow(std::chrono::steady_clock::duration window, Clock clock)
    : window_(window), clock_(std::move(clock)) {}

bool DedupWindow::reserve(const std::string& key) {
  // The time is read under the lock: by_time_ must stay in order, and a reservation must
  // never look younger than one made before it (with a window of 0, a copy that read the
  // clock first but locked second was refused as a duplicate of a reservation already over).
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  forget_expired(now);
  if (!reserved_at_.emplace(key, now).second) return false;
  by_time_.emplace_back(now, key);
  return true;
}

void DedupWindow::release(const std::string& key) {
  std::lock_guard lock(mutex_);
  reserved_at_.erase(key);
}

std::size_t DedupWindow::size() const {
  std::lock_guard lock(mutex_);
  return reserved_at_.size();
}

void DedupWindow::forget_expired(std::chrono::steady_clock::time_point now) {
  while (!by_time_.empty() && now - by_time_.front().first >= window_) {
    const auto& [at, key] = by_time_.front();
    // A released-then-re-reserved key has a newer time in the map: keep that one.
    if (auto it = reserved_at_.find(key); it != reserved_at_.end() && it->second == at)
      reserved_at_.erase(it);
    by_time_.pop_front();
  }
}

}  // namespace xecutor
