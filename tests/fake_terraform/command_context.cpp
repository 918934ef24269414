#include "command_context.h"

#include <fmt/format.h>
#include <unistd.h>

namespace fake_tf {

int flag_error(const CommandContext& ctx, const std::string& message) {
  View human(false, ctx.color);
  human.error("Failed to parse command-line flags", message);
  human.err(fmt::format("\nFor more help on using this command, run:\n  terraform {} -help\n",
                        ctx.subcommand));
  return 1;
}

std::optional<std::vector<std::string>> parse_flags(const CommandContext& ctx, FlagSet& flags,
                                                    int& exit_code) {
  try {
    return flags.parse(ctx.args);
  } catch (const HelpRequested&) {
    View(false, false)
        .out(fmt::format("Usage: terraform [global options] {} [options]\n\n"
                         "  (fake terraform: see tests/fake_terraform/README.md)\n",
                         ctx.subcommand));
    exit_code = 0;
  } catch (const FlagError& e) {
    exit_code = flag_error(ctx, e.what());
  }
  return std::nullopt;
}

std::optional<State> load_state_or_report(const CommandContext& ctx) {
  try {
    return StateStore(ctx.workdir).load();
  } catch (const std::exception& e) {
    ctx.view.error("Failed to load state", e.what());
    return std::nullopt;
  }
}

std::optional<std::string> read_line() {
  std::string line;
  char c;
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n <= 0) return line.empty() ? std::nullopt : std::optional<std::string>(line);
    if (c == '\n') return line;
    line += c;
  }
}

}  // namespace fake_tf
