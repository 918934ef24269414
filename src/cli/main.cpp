// xdeploy: the CLI entry point. Parse, pick the backend, run the verb.
// With --json, stdout carries exactly one JSON object whatever happens:
// the verb's own, or {"ok":false,"exit_code":N,"error":…} made here.
#include <fmt/format.h>

#include <exception>

#include "command_line.h"
#include "xdeploy/app/backend_factory.h"
#include "xdeploy/app/console.h"
#include "xdeploy/app/init_backend.h"
#include "xdeploy/app/init_command.h"
#include "xdeploy/app/operation_record.h"
#include "xdeploy/app/verb_runner.h"
#include "xdeploy/app/working_dir.h"
#include "xdeploy/core/exit_code.h"
#include "xdeploy/process/subprocess.h"

namespace {

int down(const xd::AppOptions& options, xd::Console& console) {
  if (options.backend != xd::BackendKind::Local) {
    console.error(
        "`down` stops the local backend only; nothing is destroyed on AWS",
        "use `xdeploy --backend local down`; for AWS, `xdeploy cleanup` removes the inactive slot");
    return xd::to_int(xd::ExitCode::Usage);
  }
  auto outcome = xd::stop_local_backend(options);
  if (!outcome.ok()) {
    console.error(outcome.message, outcome.hint);
    return xd::to_int(outcome.code);
  }
  console.success(outcome.message.empty() ? "local router and slots stopped" : outcome.message);
  return 0;
}

int dispatch(const xd::ParsedCommand& parsed, xd::Console& console) {
  if (parsed.command == xd::Command::Down) return down(parsed.options, console);
  if (parsed.command == xd::Command::Init && parsed.init_state_backend == "s3") {
    if (auto problem = xd::working_dir_problem(parsed.options); !problem.empty()) {
      console.error(problem,
                    "pass -C/--chdir with the Terraform root module (default ./terraform)");
      return xd::to_int(xd::ExitCode::Usage);
    }
    xd::RealCommandRunner runner;
    return xd::run_init_s3_backend({parsed.options, parsed.init_bucket, parsed.init_key,
                                    parsed.init_region, parsed.init_endpoint},
                                   runner, console);
  }
  if (parsed.command == xd::Command::Init)
    return xd::run_init(
        {parsed.init_dir, xd::find_module_source(parsed.options.exe_dir), parsed.options.force},
        console);
  if (parsed.command != xd::Command::History) {
    // Before anything is created: a typo in -C must not become a new directory.
    if (auto problem = xd::working_dir_problem(parsed.options); !problem.empty()) {
      console.error(problem,
                    "pass -C/--chdir with the Terraform root module (default ./terraform)");
      return xd::to_int(xd::ExitCode::Usage);
    }
  }
  xd::RealCommandRunner runner;
  auto backend = xd::make_backend(parsed.options, runner, console);
  xd::VerbRunner verbs(parsed.options, *backend, console);
  switch (parsed.command) {
    case xd::Command::Status:
      return verbs.status();
    case xd::Command::History:
      return verbs.history();
    case xd::Command::Unlock:
      return verbs.unlock();
    default:
      return verbs.execute(parsed.request);
  }
}

void print_json(const nlohmann::json& object) {
  fmt::print(stdout, "{}\n", object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::fflush(stdout);
}

int run(int argc, char** argv) {
  auto cl = xd::parse_command_line(argc, argv);
  if (!cl.parsed) {
    if (!cl.error.empty()) {
      fmt::print(stderr, "xdeploy: {}\nRun `xdeploy --help` for the verbs and options.\n",
                 cl.error);
      if (cl.json) print_json(xd::outcome_json(cl.exit_code, cl.error));
    }
    return cl.exit_code;
  }
  const auto& parsed = *cl.parsed;
  xd::Console console(parsed.options.color, parsed.options.verbosity);
  int code = 0;
  try {
    code = dispatch(parsed, console);
  } catch (const std::exception& e) {
    // A bug, not a user error: say so plainly instead of aborting.
    console.error(fmt::format("internal error: {}", e.what()));
    code = xd::to_int(xd::ExitCode::Failed);
  }
  if (parsed.options.json && console.results_printed() == 0) {
    auto object = xd::outcome_json(code, console.last_error(), console.last_hint());
    if (code == 0 && !console.last_success().empty()) object["message"] = console.last_success();
    print_json(object);
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "xdeploy: internal error: {}\n", e.what());
    return xd::to_int(xd::ExitCode::Failed);
  }
}
