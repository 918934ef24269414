#include "xdeploy/process/interrupts.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <mutex>

namespace xd {
namespace {

// Lock-free atomics are async-signal-safe; the handler touches nothing else
// except write() on a non-blocking pipe.
std::atomic<int> g_count{0};
std::atomic<int> g_last_signal{0};
std::atomic<int> g_pipe_read{-1};
std::atomic<int> g_pipe_write{-1};
std::atomic<bool> g_timed_out{false};
static_assert(std::atomic<int>::is_always_lock_free);

std::mutex g_scope_mutex;
int g_scope_depth = 0;
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

extern "C" void on_interrupt(int signo) {
  const int saved_errno = errno;  // the interrupted code may be about to read errno
  g_count.fetch_add(1);
  g_last_signal.store(signo);
  const int fd = g_pipe_write.load();
  if (fd >= 0) {
    const char byte = 1;
    // Non-blocking: a full pipe already means "readable", so losing the byte is fine.
    [[maybe_unused]] const ssize_t ignored = write(fd, &byte, 1);
  }
  errno = saved_errno;
}

void ensure_pipe() {
  static std::once_flag once;
  std::call_once(once, [] {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
      g_pipe_read.store(fds[0]);
      g_pipe_write.store(fds[1]);
    }
  });
}

void install(int signo, struct sigaction* previous) {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  // SA_RESTART keeps unrelated blocking calls (log writes, file reads) from
  // failing with EINTR. Our own waits do not depend on it: poll() is never
  // restarted, and every loop also watches interrupt_fd() and retries EINTR.
  action.sa_flags = SA_RESTART;
  sigaction(signo, &action, previous);
}

}  // namespace

InterruptScope::InterruptScope() {
  ensure_pipe();
  std::lock_guard lock(g_scope_mutex);
  if (g_scope_depth++ == 0) {
    install(SIGINT, &g_previous_int);
    install(SIGTERM, &g_previous_term);
  }
}

InterruptScope::~InterruptScope() {
  std::lock_guard lock(g_scope_mutex);
  if (--g_scope_depth == 0) {
    sigaction(SIGINT, &g_previous_int, nullptr);
    sigaction(SIGTERM, &g_previous_term, nullptr);
  }
}

int interrupt_count() {
  return g_count.load();
}
bool interrupted() {
  return interrupt_count() > 0;
}

int interrupt_fd() {
  ensure_pipe();
  return g_pipe_read.load();
}

void drain_interrupt_fd() {
  const int fd = interrupt_fd();
  if (fd < 0) return;
  char buffer[64];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    break;  // empty (EAGAIN) or closed
  }
}

int last_interrupt_signal() {
  return g_last_signal.load();
}

bool timed_out() {
  return g_timed_out.load();
}

DeadlineScope::DeadlineScope(std::optional<std::chrono::milliseconds> timeout,
                             std::chrono::milliseconds grace) {
  if (!timeout) return;
  ensure_pipe();
  thread_ =
      std::thread(&DeadlineScope::watch, this, std::chrono::steady_clock::now() + *timeout, grace);
}

DeadlineScope::~DeadlineScope() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  cancelled_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeadlineScope::watch(std::chrono::steady_clock::time_point deadline,
                          std::chrono::milliseconds grace) {
  std::unique_lock lock(mutex_);
  if (cancelled_.wait_until(lock, deadline, [this] { return done_; })) return;
  g_timed_out.store(true);
  on_interrupt(SIGINT);  // exactly what a Ctrl-C does: counted, forwarded once
  if (cancelled_.wait_for(lock, grace, [this] { return done_; })) return;
  on_interrupt(SIGINT);  // Terraform still runs: the second interrupt, never SIGKILL
}

}  // namespace xd
