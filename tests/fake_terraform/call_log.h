#pragma once
// One JSON line per invocation, appended with O_APPEND in a single write() so concurrent fakes
// never interleave: $FAKE_TF_LOG, else <workdir>/.fake-terraform/calls.jsonl.
// Only variable NAMES are logged; -var values of secret-looking variables are redacted.
#include <filesystem>
#include <string>
#include <vector>

namespace fake_tf {

struct CallRecord {
  std::vector<std::string> argv;  // arguments after the program name, secrets redacted
  std::string cwd;
  std::string workdir;
  std::string subcommand;
  int exit_code = 0;
  std::vector<std::string> signals;
  bool tf_in_automation = false;
  std::vector<std::string> tf_vars;  // names only
  std::string started_at;
  long long duration_ms = 0;
};

std::filesystem::path call_log_path(const std::filesystem::path& workdir);
std::vector<std::string> redact_argv(const std::vector<std::string>& args);
std::vector<std::string> tf_var_names();
// How many earlier invocations of `subcommand` the log records.
int count_calls(const std::filesystem::path& log, const std::string& subcommand);
void append_call(const std::filesystem::path& log, const CallRecord& record);

}  // namespace fake_tf
