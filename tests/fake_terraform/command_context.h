#pragma once
// What every subcommand receives once the global arguments are handled, and the helpers that
// print Terraform's common errors.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "faults.h"
#include "flags.h"
#include "state_store.h"
#include "view.h"

namespace fake_tf {

struct CommandContext {
  std::string subcommand;          // "plan", "state list", ...
  std::vector<std::string> args;   // after the subcommand; TF_CLI_ARGS merged, -no-color removed
  std::filesystem::path workdir;   // after -chdir
  std::filesystem::path data_dir;  // TF_DATA_DIR or <workdir>/.terraform
  bool color = true;
  bool in_automation = false;  // TF_IN_AUTOMATION non-empty
  View view{false, true};
  std::optional<Fault> fault;
};

// "Failed to parse command-line flags" + the help prompt, exit 1.
int flag_error(const CommandContext& ctx, const std::string& message);
// Parses flags, turning Go flag errors into Terraform's diagnostics. Returns nullopt on error
// after printing it (`exit_code` set).
std::optional<std::vector<std::string>> parse_flags(const CommandContext& ctx, FlagSet& flags,
                                                    int& exit_code);
// The working directory's state; nullopt after printing Terraform's "Failed to load state"
// diagnostic, when it cannot be read (the command then exits 1).
std::optional<State> load_state_or_report(const CommandContext& ctx);
// Reads a line of stdin for prompts; nullopt at EOF.
std::optional<std::string> read_line();

int run_init(CommandContext& ctx);
int run_operation(CommandContext& ctx);  // plan, apply, destroy
int run_show(CommandContext& ctx);
int run_output(CommandContext& ctx);
int run_state_list(CommandContext& ctx);
int run_state_pull(CommandContext& ctx);
int run_version(CommandContext& ctx);
int run_force_unlock(CommandContext& ctx);

}  // namespace fake_tf
