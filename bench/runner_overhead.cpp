// How much the process runner costs per invocation: N runs of a command that
// does nothing, and N runs of one that prints a lot, through RealCommandRunner.
// Usage: runner_overhead [N] [MEGABYTES]   (defaults: 200 runs, 10 MB)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "xdeploy/process/subprocess.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_for(int runs, const xd::ProcessSpec& spec, size_t* bytes, size_t* lines) {
  xd::RealCommandRunner runner;
  const auto start = Clock::now();
  for (int i = 0; i < runs; ++i) {
    const auto result = runner.run(
        spec, [&](std::string_view) { ++*lines; }, [](std::string_view) {});
    if (!result.started || result.exit_code != 0) {
      fmt::print(stderr, "run {} failed: {} (exit {})\n", i, result.error, result.exit_code);
      std::exit(1);
    }
    *bytes += result.stdout_text.size();
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 200;
  const int megabytes = argc > 2 ? std::atoi(argv[2]) : 10;
  xd::ProcessSpec nothing;
  nothing.argv = {"/bin/true"};
  xd::ProcessSpec chatty;
  // 100-byte lines (99 characters and a newline), MEGABYTES of them.
  chatty.argv = {"/bin/sh", "-c",
                 fmt::format("head -c {} /dev/zero | tr '\\0' x | fold -w 99", megabytes << 20)};
  size_t bytes = 0, lines = 0;
  const double t_nothing = seconds_for(runs, nothing, &bytes, &lines);
  fmt::print("{} x /bin/true: {:.3f} s total, {:.2f} ms per run\n", runs, t_nothing,
             1000 * t_nothing / runs);
  const int chatty_runs = std::max(1, runs / 20);
  bytes = lines = 0;
  const double t_chatty = seconds_for(chatty_runs, chatty, &bytes, &lines);
  fmt::print("{} x {} MB of output: {:.3f} s total, {:.1f} ms per run ({} bytes, {} lines each)\n",
             chatty_runs, megabytes, t_chatty, 1000 * t_chatty / chatty_runs, bytes / chatty_runs,
             lines / chatty_runs);
}
