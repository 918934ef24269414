#include "call_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "variables.h"

extern char** environ;

namespace fake_tf {

namespace fs = std::filesystem;

fs::path call_log_path(const fs::path& workdir) {
  if (const char* env = std::getenv("FAKE_TF_LOG"); env && *env) return env;
  return workdir / ".fake-terraform" / "calls.jsonl";
}

namespace {
std::string redact_assignment(const std::string& kv) {
  auto eq = kv.find('=');
  std::string name = kv.substr(0, eq);
  if (eq == std::string::npos || !is_secret_variable(name)) return kv;
  return name + "=<sensitive>";
}
}  // namespace

std::vector<std::string> redact_argv(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  bool next_is_var = false;
  for (const auto& a : args) {
    if (next_is_var) {
      out.push_back(redact_assignment(a));
      next_is_var = false;
      continue;
    }
    std::string prefix = a.rfind("--var=", 0) == 0  ? "--var="
                         : a.rfind("-var=", 0) == 0 ? "-var="
                                                    : "";
    if (!prefix.empty()) {
      out.push_back(prefix + redact_assignment(a.substr(prefix.size())));
      continue;
    }
    next_is_var = a == "-var" || a == "--var";
    out.push_back(a);
  }
  return out;
}

std::vector<std::string> tf_var_names() {
  std::vector<std::string> names;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("TF_VAR_", 0) == 0) names.push_back(kv.substr(7, kv.find('=') - 7));
  }
  std::sort(names.begin(), names.end());
  return names;
}

int count_calls(const fs::path& log, const std::string& subcommand) {
  std::ifstream in(log);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("subcommand", "") == subcommand) ++n;
  }
  return n;
}

void append_call(const fs::path& log, const CallRecord& r) {
  nlohmann::json j{{"argv", r.argv},
                   {"cwd", r.cwd},
                   {"workdir", r.workdir},
                   {"subcommand", r.subcommand},
                   {"exit_code", r.exit_code},
                   {"signals", r.signals},
                   {"tf_in_automation", r.tf_in_automation},
                   {"tf_vars", r.tf_vars},
                   {"started_at", r.started_at},
                   {"duration_ms", r.duration_ms}};
  std::string line = j.dump() + "\n";
  std::error_code ec;
  if (log.has_parent_path()) fs::create_directories(log.parent_path(), ec);
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t written = ::write(fd, line.data(), line.size());
  (void)written;
  ::close(fd);
}

}  // namespace fake_tf
