#include "signals.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace fake_tf::interrupts {

namespace {
std::atomic<int> g_count{0};
std::atomic<int> g_kinds[8];  // signal numbers in arrival order (bounded)
const View* g_view = nullptr;
bool g_announced = false;

void write_stderr(const char* s, size_t n) {
  ssize_t ignored = ::write(STDERR_FILENO, s, n);
  (void)ignored;
}

// The watchdog behind the 5 s promise: if cooperative cancellation is stuck, leave anyway.
void on_alarm(int) {
  static const char kMsg[] = "\nError: operation canceled\n\n";
  write_stderr(kMsg, sizeof(kMsg) - 1);
  _exit(1);
}

void on_signal(int sig) {
  int n = g_count.fetch_add(1) + 1;
  if (n <= 8) g_kinds[n - 1].store(sig);
  if (n == 2) {
    static const char kMsg[] =
        "\nTwo interrupts received. Exiting immediately. Note that data loss may have "
        "occurred.\n";
    write_stderr(kMsg, sizeof(kMsg) - 1);
    ::alarm(4);
  }
}
}  // namespace

void install() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  struct sigaction alarm_action {};
  alarm_action.sa_handler = on_alarm;
  sigemptyset(&alarm_action.sa_mask);
  sigaction(SIGALRM, &alarm_action, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int count() {
  return g_count.load();
}

std::vector<std::string> received() {
  std::vector<std::string> out;
  int n = std::min(g_count.load(), 8);
  for (int i = 0; i < n; ++i) out.push_back(g_kinds[i].load() == SIGTERM ? "SIGTERM" : "SIGINT");
  return out;
}

void set_view(const View* view) {
  g_view = view;
}

void poll() {
  int n = g_count.load();
  if (n >= 1 && !g_announced) {
    g_announced = true;
    if (g_view && g_view->json()) {
      g_view->message("info", "Interrupt received. Gracefully shutting down...", "log");
    } else if (g_view) {
      g_view->out(
          "\nInterrupt received.\nPlease wait for Terraform to exit or data loss may "
          "occur.\nGracefully shutting down...\n\nStopping operation...\n");
    }
  }
  if (n >= 2) throw OperationCanceled();
}

bool stop_requested() {
  return g_count.load() >= 1;
}

bool sleep_for(std::chrono::milliseconds duration, bool stop_on_first) {
  auto deadline = std::chrono::steady_clock::now() + duration;
  for (;;) {
    poll();
    if (stop_on_first && stop_requested()) return false;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        deadline - now, std::chrono::milliseconds(10)));
  }
}

}  // namespace fake_tf::interrupts
