#pragma once
// The command line (and xdeploy.toml) -> what to do. CLI11 does the parsing;
// this file only declares the verbs and options and turns the result into
// AppOptions + a Request. Usage errors never reach a backend.
#include <functional>
#include <optional>
#include <string>

#include "xdeploy/app/app_options.h"
#include "xdeploy/core/request.h"

namespace CLI {
class App;
}

namespace xd {

enum class Command { Verb, Status, History, Down, Init, Unlock };

struct ParsedCommand {
  Command command = Command::Verb;
  Request request;
  AppOptions options;
  std::string init_dir;  // Command::Init
  // Command::Init with --backend s3: the state bucket (empty: init copies the module as before).
  std::string init_state_backend;  // "", "local" or "s3"
  std::string init_bucket;
  std::string init_key;
  std::string init_region;
  std::string init_endpoint;
};

struct CommandLineOutcome {
  std::optional<ParsedCommand> parsed;  // empty: exit with exit_code (help, version, usage error)
  int exit_code = 0;
  std::string
      error;  // a usage error, not yet printed (the caller knows if --json wants it as JSON)
  bool json = false;  // --json was asked for, even if the rest did not parse
};

// Prints help, version and `completion`'s script itself; returns usage errors in `error`.
CommandLineOutcome parse_command_line(int argc, const char* const* argv);

// Calls `use` with the command line exactly as parse_command_line declares
// it: for what is generated from it (shell completion, its tests).
void with_command_line_definition(const std::function<void(CLI::App&)>& use);

}  // namespace xd
