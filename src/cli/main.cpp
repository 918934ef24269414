// xdeploy: the CLI entry point. Parse, pick the backend, run the verb.
#include <fmt/format.h>

#include <exception>

#include "app/backend_factory.h"
#include "app/console.h"
#include "app/init_command.h"
#include "app/verb_runner.h"
#include "backend/local/local_backend.h"
#include "cli/command_line.h"
#include "core/exit_code.h"
#include "process/subprocess.h"

namespace {

int down(const xd::AppOptions& options, xd::Console& console) {
  if (options.backend != xd::BackendKind::Local) {
    console.error(
        "`down` stops the local backend only; nothing is destroyed on AWS",
        "use `xdeploy --backend local down`; for AWS, `xdeploy cleanup` removes the inactive slot");
    return xd::to_int(xd::ExitCode::Usage);
  }
  auto outcome = xd::stop_everything_local(options.local);
  if (!outcome.ok()) {
    console.error(outcome.message, outcome.hint);
    return xd::to_int(outcome.code);
  }
  console.success(outcome.message.empty() ? "local router and slots stopped" : outcome.message);
  return 0;
}

int run(int argc, char** argv) {
  auto cl = xd::parse_command_line(argc, argv);
  if (!cl.parsed) return cl.exit_code;
  const auto& parsed = *cl.parsed;
  xd::Console console(parsed.options.color, parsed.options.verbosity);
  if (parsed.command == xd::Command::Down) return down(parsed.options, console);
  if (parsed.command == xd::Command::Init)
    return xd::run_init({parsed.init_dir, xd::find_module_source(parsed.options.local.exe_dir),
                         parsed.options.force},
                        console);
  xd::RealCommandRunner runner;
  auto backend = xd::make_backend(parsed.options, runner, console);
  xd::VerbRunner verbs(parsed.options, *backend, console);
  switch (parsed.command) {
    case xd::Command::Status:
      return verbs.status();
    case xd::Command::History:
      return verbs.history();
    default:
      return verbs.execute(parsed.request);
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // A bug, not a user error: say so plainly instead of aborting.
    fmt::print(stderr, "xdeploy: internal error: {}\n", e.what());
    return xd::to_int(xd::ExitCode::Failed);
  }
}
