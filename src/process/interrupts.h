#pragma once
// Ctrl-C and SIGTERM, turned into something the rest of xdeploy can poll.
// While an InterruptScope is alive, SIGINT/SIGTERM do not kill xdeploy: they
// bump a counter and wake a self-pipe, so the process runner can forward each
// one to Terraform as SIGINT (Terraform needs that to save state and release
// its lock) and the health gate can stop between attempts.
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

}  // namespace xd
