#pragma once
// The command line (and xdeploy.toml) -> what to do. CLI11 does the parsing;
// this file only declares the verbs and options and turns the result into
// AppOptions + a Request. Usage errors never reach a backend.
#include <optional>
#include <string>

#include "app/app_options.h"
#include "core/request.h"

namespace xd {

enum class Command { Verb, Status, History, Down };

struct ParsedCommand {
  Command command = Command::Verb;
  Request request;
  AppOptions options;
};

struct CommandLineOutcome {
  std::optional<ParsedCommand> parsed;  // empty: exit with exit_code (help, version, usage error)
  int exit_code = 0;
  std::string
      error;  // a usage error, not yet printed (the caller knows if --json wants it as JSON)
  bool json = false;  // --json was asked for, even if the rest did not parse
};

// Prints help and version itself; returns usage errors in `error`.
CommandLineOutcome parse_command_line(int argc, const char* const* argv);

}  // namespace xd
