// The fake `terraform` executable: dispatches one invocation and records it in the call log.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "call_log.h"
#include "cli_dispatch.h"
#include "clock_ids.h"
#include "signals.h"

int main(int argc, char** argv) {
  using namespace fake_tf;
  interrupts::install();
  const auto began = std::chrono::steady_clock::now();
  CallRecord record;
  record.started_at = rfc3339_micro_now();
  std::error_code ec;
  record.cwd = std::filesystem::current_path(ec).string();
  std::vector<std::string> args(argv + 1, argv + argc);
  record.argv = redact_argv(args);
  record.tf_vars = tf_var_names();
  const char* automation = std::getenv("TF_IN_AUTOMATION");
  record.tf_in_automation = automation && *automation;

  DispatchOutcome outcome;
  try {
    outcome = dispatch(args);
  } catch (const std::exception& e) {
    // A bug in the fake is reported like a Terraform panic (exit 11), never as a silent abort.
    std::fprintf(stderr,
                 "\n!!!!!!!!!!!!!!!!!!!!!!!!!!! TERRAFORM CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n"
                 "panic: %s\n",
                 e.what());
    outcome.exit_code = 11;
    outcome.workdir = std::filesystem::current_path(ec);
  }

  record.subcommand = outcome.subcommand;
  record.workdir = outcome.workdir.string();
  record.exit_code = outcome.exit_code;
  record.signals = interrupts::received();
  record.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - began)
                           .count();
  append_call(call_log_path(outcome.workdir), record);
  return outcome.exit_code;
}
