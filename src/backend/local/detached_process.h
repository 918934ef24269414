#pragma once
// Starting a process that outlives xdeploy: double fork, its own session and
// process group, stdin /dev/null, stdout+stderr appended to a log file, no
// file descriptor of xdeploy leaked (the deploy lock must not be inherited),
// signal dispositions reset. The caller learns its pid and start time, or
// why it could not start.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "xdeploy/backend/local/process_identity.h"

namespace xd {

struct DetachedSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  std::filesystem::path log_file;
  std::filesystem::path cwd;           // empty: inherit
  std::vector<std::string> extra_env;  // NAME=VALUE, on top of the inherited environment
};

struct SpawnResult {
  std::optional<ProcessIdentity> process;
  std::string error;  // why it did not start
};

SpawnResult spawn_detached(const DetachedSpec& spec);

// The executable `name` would run as: itself when it contains '/', else the first
// executable match on PATH. Empty when there is none.
std::filesystem::path resolve_executable(const std::string& name);

// argv joined for humans, quoting words with spaces or quotes.
std::string quote_command(const std::vector<std::string>& argv);

// The last `max_lines` lines of a log (for "the slot exited: ..." messages),
// reading only from byte `from` on: this run's lines, not an earlier run's.
std::string tail_of_file(const std::filesystem::path& file, int max_lines = 5,
                         std::uintmax_t from = 0);
// The size of a file, or 0 when it does not exist (where this run's log lines start).
std::uintmax_t size_or_zero(const std::filesystem::path& file);

}  // namespace xd
