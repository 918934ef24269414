#pragma once
// Global argument handling, as Terraform's main.go does it: -chdir=DIR (must use '='),
// -v/-version anywhere, TF_CLI_ARGS / TF_CLI_ARGS_<cmd> inserted after the subcommand,
// -no-color/-compact-warnings removed anywhere, fault injection, then the subcommand.
#include <filesystem>
#include <string>
#include <vector>

namespace fake_tf {

struct DispatchOutcome {
  int exit_code = 0;
  std::string subcommand;
  std::filesystem::path workdir;
};

DispatchOutcome dispatch(std::vector<std::string> args);

}  // namespace fake_tf
