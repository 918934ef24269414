#pragma once
// SIGINT and SIGTERM feed one shutdown path (facts §3): the first asks for a graceful stop (the
// in-flight resource operation finishes, state is persisted, the lock released, exit 1); the
// second prints "Two interrupts received..." at once and the process exits 1 within 5 s.
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "view.h"

namespace fake_tf {

// Thrown when a second interrupt cancels the operation.
struct OperationCanceled : std::runtime_error {
  OperationCanceled() : std::runtime_error("operation canceled") {}
};

namespace interrupts {
void install();
int count();
std::vector<std::string> received();  // "SIGINT"/"SIGTERM", in arrival order
// Set the view used to announce the first interrupt; prints it once when due.
void set_view(const View* view);
// Announces a pending first interrupt; throws OperationCanceled after the second.
void poll();
bool stop_requested();  // at least one interrupt
// Sleeps up to `duration` in small steps; returns false early if an interrupt arrived and
// `stop_on_first` is set. Always throws OperationCanceled on a second interrupt.
bool sleep_for(std::chrono::milliseconds duration, bool stop_on_first);
}  // namespace interrupts

}  // namespace fake_tf
