#pragma once
// For a test server's main() (the mocks): SIGTERM or SIGINT calls `stop` once,
// on a thread of its own. Call it before the server starts its threads: they
// inherit the blocked mask, so only that thread takes the signal.
#include <pthread.h>
#include <signal.h>

#include <functional>
#include <thread>

namespace xd::testing {

inline void stop_on_sigterm_or_sigint(std::function<void()> stop) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals, stop = std::move(stop)] {
    int sig = 0;
    sigwait(&signals, &sig);
    stop();
  }).detach();
}

}  // namespace xd::testing
