#pragma once
// Ctrl-C and SIGTERM, turned into something the rest of xdeploy can poll.
// While an InterruptScope is alive, SIGINT/SIGTERM do not kill xdeploy: they
// bump a counter and wake a self-pipe, so the process runner can forward each
// one to Terraform as SIGINT (Terraform needs that to save state and release
// its lock) and the health gate can stop between attempts.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace xd {

class InterruptScope {
 public:
  InterruptScope();   // installs the handlers (nested scopes share them)
  ~InterruptScope();  // restores the previous handlers
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

// Signals received since the process started (SIGINT and SIGTERM both count).
int interrupt_count();
bool interrupted();
// Readable whenever a signal arrived; drain with drain_interrupt_fd(). For poll().
int interrupt_fd();
void drain_interrupt_fd();
// The last signal number received (SIGINT or SIGTERM), 0 if none.
int last_interrupt_signal();

// An overall deadline (--timeout). When it passes, xdeploy acts as if Ctrl-C
// was pressed once (Terraform gets one SIGINT and saves its state; gates and
// probers stop), and once more after `grace` if the scope is still alive.
// Never SIGKILL. timed_out() tells a timeout from a real Ctrl-C (exit 124).
class DeadlineScope {
 public:
  DeadlineScope(std::optional<std::chrono::milliseconds> timeout, std::chrono::milliseconds grace);
  ~DeadlineScope();  // cancels the deadline
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  void watch(std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds grace);
  std::mutex mutex_;
  std::condition_variable cancelled_;
  bool done_ = false;
  std::thread thread_;
};

bool timed_out();

}  // namespace xd
