#include "support/fake_command_runner.h"

namespace xd::testing {
namespace {

void stream(const std::vector<std::string>& lines, const LineSink& sink, std::string* text) {
  for (const auto& line : lines) {
    *text += line;
    *text += '\n';
    if (sink) sink(line);
  }
}

}  // namespace

FakeOutcome FakeCommandRunner::next(const ProcessSpec& spec) {
  if (!scripted_.empty()) {
    FakeOutcome outcome = std::move(scripted_.front());
    scripted_.pop_front();
    return outcome;
  }
  return fallback ? fallback(spec) : FakeOutcome{};
}

ProcessResult FakeCommandRunner::run(const ProcessSpec& spec, const LineSink& on_stdout,
                                     const LineSink& on_stderr) {
  calls_.push_back(spec);
  const FakeOutcome outcome = next(spec);
  ProcessResult result;
  result.started = outcome.started;
  if (!outcome.started) {
    result.error = outcome.error;
    return result;
  }
  stream(outcome.stdout_lines, on_stdout, &result.stdout_text);
  stream(outcome.stderr_lines, on_stderr, &result.stderr_text);
  result.exit_code = outcome.exit_code;
  result.interrupts_forwarded = outcome.interrupts_forwarded;
  return result;
}

std::vector<std::string> FakeCommandRunner::commands() const {
  std::vector<std::string> result;
  result.reserve(calls_.size());
  for (const auto& spec : calls_) result.push_back(display_command(spec.argv));
  return result;
}

}  // namespace xd::testing
