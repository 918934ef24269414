#include "cli_dispatch.h"

#include <fmt/format.h>
#include <unistd.h>
#include <wordexp.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "call_log.h"
#include "command_context.h"
#include "signals.h"

namespace fake_tf {

namespace fs = std::filesystem;

namespace {

using Runner = int (*)(CommandContext&);
const std::map<std::string, Runner>& commands() {
  static const std::map<std::string, Runner> kCommands{{"init", run_init},
                                                       {"plan", run_operation},
                                                       {"apply", run_operation},
                                                       {"destroy", run_operation},
                                                       {"show", run_show},
                                                       {"output", run_output},
                                                       {"state list", run_state_list},
                                                       {"state pull", run_state_pull},
                                                       {"version", run_version},
                                                       {"force-unlock", run_force_unlock}};
  return kCommands;
}
// Real Terraform commands this fake does not model: they fail loudly instead of pretending.
const std::vector<std::string> kUnmodelled{
    "console", "fmt",      "get",      "graph",     "import",  "login",
    "logout",  "metadata", "modules",  "providers", "refresh", "taint",
    "test",    "untaint",  "validate", "workspace", "state"};

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

int unknown_command(const std::string& name) {
  std::string best;
  size_t best_distance = 3;
  for (const auto& [cmd, runner] : commands()) {
    size_t d = edit_distance(name, cmd);
    if (d < best_distance) best_distance = d, best = cmd;
  }
  std::string text = fmt::format("Terraform has no command named \"{}\".", name);
  if (!best.empty()) text += fmt::format(" Did you mean \"{}\"?", best);
  text += "\n\nTo see all of Terraform's top-level commands, run:\n  terraform -help\n\n";
  View(false, false).err(text);
  return 1;
}

std::vector<std::string> shell_words(const char* text) {
  std::vector<std::string> out;
  wordexp_t w{};
  if (wordexp(text, &w, WRDE_NOCMD) == 0) {
    for (size_t i = 0; i < w.we_wordc; ++i) out.emplace_back(w.we_wordv[i]);
    wordfree(&w);
  }
  return out;
}

// main.go mergeEnvArgs: the extra words go right after the (last) subcommand token.
void merge_env_args(const std::string& env_name, const std::string& subcommand,
                    std::vector<std::string>& args) {
  const char* value = std::getenv(env_name.c_str());
  if (!value || !*value) return;
  std::string search =
      subcommand.substr(subcommand.rfind(' ') == std::string::npos ? 0 : subcommand.rfind(' ') + 1);
  auto it = std::find(args.begin(), args.end(), search);
  size_t at = it == args.end() ? 0 : static_cast<size_t>(it - args.begin()) + 1;
  auto extra = shell_words(value);
  args.insert(args.begin() + static_cast<std::ptrdiff_t>(at), extra.begin(), extra.end());
}

void print_usage() {
  View(false, false)
      .out(
          "Usage: terraform [global options] <subcommand> [args]\n\n"
          "Main commands:\n  init          Prepare your working directory for other commands\n"
          "  plan          Show changes required by the current configuration\n"
          "  apply         Create or update infrastructure\n"
          "  destroy       Destroy previously-created infrastructure\n\n"
          "All other commands:\n  force-unlock  Release a stuck lock on the current workspace\n"
          "  output        Show output values from your root module\n"
          "  show          Show the current state or a saved plan\n"
          "  state list    List resources in the state\n"
          "  state pull    Print the raw state\n"
          "  version       Show the current Terraform version\n\n"
          "Global options (use these before the subcommand, if any):\n"
          "  -chdir=DIR    Switch to a different working directory before executing the\n"
          "                given subcommand.\n  -help         Show this help output.\n"
          "  -version      An alias for the \"version\" subcommand.\n");
}

int crash() {
  View(false, false)
      .err(
          "!!!!!!!!!!!!!!!!!!!!!!!!!!! TERRAFORM CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n"
          "Terraform crashed! This is always indicative of a bug within Terraform.\n"
          "Please report the crash with Terraform[1] so that we can fix this.\n\n"
          "When reporting bugs, please include your terraform version, the stack trace\n"
          "shown below, and any additional information which may help replicate the issue.\n\n"
          "[1]: https://github.com/hashicorp/terraform/issues\n\n"
          "!!!!!!!!!!!!!!!!!!!!!!!!!!! TERRAFORM CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n"
          "panic: injected crash (FAKE_TF_FAULTS)\n\ngoroutine 1 [running]:\nmain.main()\n"
          "\t/fake/terraform/main.go:1 +0x1\n");
  return 11;  // logging.PanicHandler exits 11
}

// Faults that act before the subcommand runs; returns an exit code when the fault ends it.
std::optional<int> run_early_fault(CommandContext& ctx) {
  if (!ctx.fault) return std::nullopt;
  interrupts::set_view(&ctx.view);
  switch (ctx.fault->kind) {
    case FaultKind::Crash:
      return crash();
    case FaultKind::Fail:
      if (ctx.view.json()) ctx.view.version_line();
      ctx.view.error(
          "injected failure",
          fmt::format("FAKE_TF_FAULTS asked this \"{}\" invocation to fail.", ctx.subcommand));
      return 1;
    case FaultKind::Slow:
      try {
        if (!interrupts::sleep_for(std::chrono::milliseconds(ctx.fault->slow_ms), true)) {
          interrupts::poll();
          ctx.view.error("execution halted");
          return 1;
        }
      } catch (const OperationCanceled&) {
        return 1;
      }
      return std::nullopt;
    case FaultKind::Hang:
      try {
        interrupts::sleep_for(std::chrono::hours(24), true);
        interrupts::poll();
      } catch (const OperationCanceled&) {
      }
      ctx.view.error("execution halted");
      return 1;
    case FaultKind::Noop:
      // Exit 0 having done nothing, as a broken provider or wrapper might.
      ctx.view.out("\nApply complete! Resources: 0 added, 0 changed, 0 destroyed.\n");
      return 0;
    case FaultKind::Lie:
      // Claims to have applied changes it never made: only reading the state back tells.
      ctx.view.out("\nApply complete! Resources: 1 added, 0 changed, 1 destroyed.\n");
      return 0;
    case FaultKind::Garbage:
      ctx.view.out("this is not JSON {\n");
      return 0;
    case FaultKind::FailAfterFirst:
    case FaultKind::Lock:
      return std::nullopt;  // handled inside the operation
  }
  return std::nullopt;
}

bool wants_json(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--") break;
    if (a == "-json" || a == "--json" || a == "-json=true" || a == "--json=true") return true;
  }
  return false;
}

}  // namespace

DispatchOutcome dispatch(std::vector<std::string> args) {
  DispatchOutcome out;
  out.workdir = fs::current_path();
  // -chdir must come before the subcommand and use '=' (main.go extractChdirOption).
  for (size_t i = 0; i < args.size() && !args[i].empty() && args[i][0] == '-'; ++i) {
    if (args[i] == "-chdir" || args[i] == "--chdir") {
      View(false, false)
          .err(
              "Invalid -chdir option: must include an equals sign followed by a directory path, "
              "like -chdir=example\n");
      out.exit_code = 1;
      return out;
    }
    for (const char* prefix : {"-chdir=", "--chdir="}) {
      if (args[i].rfind(prefix, 0) != 0) continue;
      std::string dir = args[i].substr(std::string(prefix).size());
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
      if (::chdir(dir.c_str()) != 0) {
        View(false, false)
            .err(fmt::format("Error handling -chdir option: chdir {}: no such file or directory\n",
                             dir));
        out.exit_code = 1;
        return out;
      }
      out.workdir = fs::current_path();
      --i;
      break;
    }
  }
  if (std::any_of(args.begin(), args.end(), [](const std::string& a) {
        return a == "-v" || a == "-version" || a == "--version";
      }))
    args.insert(args.begin(), "version");
  if (args.empty() || args[0] == "-help" || args[0] == "-h" || args[0] == "--help") {
    print_usage();
    out.exit_code = args.empty() ? 127 : 0;
    return out;
  }
  std::string sub = args[0];
  size_t tokens = 1;
  if (sub == "state" && args.size() > 1 && (args[1] == "list" || args[1] == "pull"))
    sub = "state " + args[1], tokens = 2;
  out.subcommand = sub;
  if (!commands().count(sub)) {
    if (std::find(kUnmodelled.begin(), kUnmodelled.end(), sub) != kUnmodelled.end()) {
      View(false, false)
          .err(fmt::format(
              "fake terraform: \"{}\" is a real Terraform command that this fake does not model.\n",
              sub));
      out.exit_code = 1;
      return out;
    }
    out.exit_code = unknown_command(sub);
    return out;
  }
  merge_env_args("TF_CLI_ARGS", sub, args);
  std::string env_sub = sub;
  std::replace(env_sub.begin(), env_sub.end(), ' ', '_');
  std::replace(env_sub.begin(), env_sub.end(), '-', '_');
  merge_env_args("TF_CLI_ARGS_" + env_sub, sub, args);

  CommandContext ctx;
  ctx.subcommand = sub;
  ctx.workdir = out.workdir;
  const char* data_dir = std::getenv("TF_DATA_DIR");
  ctx.data_dir = data_dir && *data_dir ? fs::absolute(data_dir) : out.workdir / ".terraform";
  const char* automation = std::getenv("TF_IN_AUTOMATION");
  ctx.in_automation = automation && *automation;
  for (size_t i = tokens; i < args.size(); ++i) {
    if (args[i] == "-no-color") {
      ctx.color = false;
      continue;
    }
    if (args[i] == "-compact-warnings") continue;
    ctx.args.push_back(args[i]);
  }
  ctx.view = View(wants_json(ctx.args), ctx.color);
  try {
    const char* faults = std::getenv("FAKE_TF_FAULTS");
    if (faults && *faults)
      ctx.fault = fault_for(faults, sub, count_calls(call_log_path(out.workdir), sub) + 1);
  } catch (const std::invalid_argument& e) {
    View(false, false).err(fmt::format("fake terraform: {}\n", e.what()));
    out.exit_code = 1;
    return out;
  }
  if (auto code = run_early_fault(ctx)) {
    out.exit_code = *code;
    return out;
  }
  try {
    out.exit_code = commands().at(sub)(ctx);
  } catch (const OperationCanceled&) {
    ctx.view.error("operation canceled");
    out.exit_code = 1;
  }
  return out;
}

}  // namespace fake_tf
