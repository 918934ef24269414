#pragma once
// A scripted CommandRunner for unit tests that only care about which commands
// would run (argv, cwd, env) and how the caller reacts to their output and
// exit codes. Integration tests use RealCommandRunner with the fake
// `terraform` binary instead.
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "xdeploy/process/subprocess.h"

namespace xd::testing {

struct FakeOutcome {
  std::vector<std::string> stdout_lines;  // streamed to the sink, in order
  std::vector<std::string> stderr_lines;  // streamed after stdout
  int exit_code = 0;
  bool started = true;  // false: behaves like an exec failure
  std::string error;    // reported when !started
  int interrupts_forwarded = 0;
};

class FakeCommandRunner : public CommandRunner {
 public:
  // Outcomes are consumed in order; once exhausted, `fallback` decides (by
  // default: exit 0, no output).
  void push(FakeOutcome outcome) { scripted_.push_back(std::move(outcome)); }
  std::function<FakeOutcome(const ProcessSpec&)> fallback;

  ProcessResult run(const ProcessSpec& spec, const LineSink& on_stdout,
                    const LineSink& on_stderr) override;

  const std::vector<ProcessSpec>& calls() const { return calls_; }
  // display_command() of every call, for compact assertions.
  std::vector<std::string> commands() const;

 private:
  FakeOutcome next(const ProcessSpec& spec);

  std::deque<FakeOutcome> scripted_;
  std::vector<ProcessSpec> calls_;
};

}  // namespace xd::testing
