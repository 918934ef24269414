#pragma once
// One deploy at a time per working dir: an exclusive flock() on
// .xdeploy/lock. The kernel drops it when xdeploy dies (even by SIGKILL), so a
// crash never leaves a stale lock; the holder's identity is written into the
// file so the loser can say who holds it.
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace xd {

struct LockHolder {
  int pid = 0;
  std::string user;
  std::string host;
  std::string verb;
  std::string started_at;        // ISO 8601 UTC
  std::string describe() const;  // "pid 123 (alice@laptop, `promote green`, since 2026-...)"
};

LockHolder current_process_holder(const std::string& verb);

class DeployLock {
 public:
  struct Error {
    bool busy = false;                 // another process holds it (else: I/O error)
    bool interrupted = false;          // busy, and `interrupted` ended the wait (Ctrl-C)
    std::optional<LockHolder> holder;  // who, if it could be read
    std::string message;
  };

  // Tries to lock `lock_file` (parent dirs are created). With wait > 0 it
  // retries until the deadline; `interrupted` (called before each pause, so
  // also the sign that the wait began) stops the wait early. On success
  // error->message is empty unless the holder note could not be written (the
  // lock is held all the same).
  static std::optional<DeployLock> acquire(const std::filesystem::path& lock_file,
                                           const LockHolder& me, std::chrono::milliseconds wait,
                                           Error* error,
                                           const std::function<bool()>& interrupted = {});

  DeployLock(DeployLock&& other) noexcept;
  DeployLock& operator=(DeployLock&& other) noexcept;
  DeployLock(const DeployLock&) = delete;
  DeployLock& operator=(const DeployLock&) = delete;
  ~DeployLock();  // unlocks

 private:
  explicit DeployLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace xd
