#include "xdeploy/app/backend_factory.h"

#include "xdeploy/backend/local/local_backend.h"
#include "xdeploy/backend/local/slot_command.h"
#include "xdeploy/backend/terraform/terraform.h"

namespace xd {

namespace {

TerraformSettings terraform_settings(const AppOptions& options) {
  const TerraformOptions& t = options.terraform;
  TerraformSettings s;
  s.binary = t.binary;
  s.chdir = t.chdir;
  s.lock_timeout = t.lock_timeout;
  s.move_deadline = t.move_deadline;
  s.color = t.color;
  s.var_files = t.var_files;
  s.extra_args = t.extra_args;
  return s;
}

LocalBackendOptions local_settings(const AppOptions& options) {
  const LocalOptions& l = options.local;
  LocalBackendOptions s;
  s.state_dir = options.state_dir();
  s.app_command = l.app_command;
  s.blue_port = l.blue_port;
  s.green_port = l.green_port;
  s.public_port = l.public_port;
  s.bind = l.bind;
  s.swap_gap = l.swap_gap;
  s.start_timeout = l.start_timeout;
  s.tls = l.tls;
  s.exe_dir = options.exe_dir;
  return s;
}

}  // namespace

std::string finish_backend_options(AppOptions& options) {
  options.terraform.chdir = options.chdir;
  options.terraform.color = options.color == ColorMode::Always;
  // A slot that never listens is unhealthy: it gets the health gate's deadline.
  options.local.start_timeout = options.health.timeout;
  LocalOptions& local = options.local;
  if (!local.tls || !local.app_command.empty()) return "";
  std::string error;
  local.app_command = tls_slot_command(options.exe_dir, local.tls_cert, local.tls_key, &error);
  return error;
}

std::unique_ptr<Backend> make_backend(const AppOptions& options, CommandRunner& runner,
                                      Console& console) {
  if (options.backend == BackendKind::Local) return make_local_backend(local_settings(options));
  return make_terraform_backend(
      terraform_settings(options), runner,
      [&console](std::string_view step, std::string_view line, bool is_stderr) {
        console.stream(step, line, is_stderr);
      });
}

StepOutcome stop_local_backend(const AppOptions& options) {
  return stop_everything_local(local_settings(options));
}

}  // namespace xd
