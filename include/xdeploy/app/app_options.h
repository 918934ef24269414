#pragma once
// Everything the command line (or xdeploy.toml) can set, already validated.
// The CLI layer fills it; the app layer only reads it.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "xdeploy/app/backend_options.h"
#include "xdeploy/core/duration.h"

namespace xd {

enum class BackendKind { Terraform, Local };
enum class ColorMode { Auto, Always, Never };

struct HealthOptions {
  long status = 200;
  std::string body_contains;
  Millis request_timeout{5000};
  Millis interval{2000};
  Millis timeout{300000};
  bool insecure = false;
  std::string ca_file;  // --health-ca-file: verify HTTPS health answers against this CA
  std::string
      server_name;  // --health-server-name: the name HTTPS health certificates are issued for
};

struct ProbeOptions {
  bool enabled = true;
  Millis period{100};
  Millis timeout{1000};
  Millis deadline{120000};
  int successes = 5;  // the new color answering this many times in a row = served
  bool auto_rollback = true;
};

// Scripts run around an operation (see app/hooks.h).
struct HookOptions {
  bool enabled = true;
  std::string dir;  // empty: <chdir>/.xdeploy/hooks
  Millis timeout{60000};
  Millis kill_grace{5000};  // SIGTERM on timeout, SIGKILL this much later
};

struct AppOptions {
  BackendKind backend = BackendKind::Terraform;
  std::string chdir = "terraform";  // the working dir: Terraform root module, .xdeploy/ lives here
  TerraformOptions terraform;       // backend-specific (backend_options.h)
  LocalOptions local;
  HealthOptions health;
  ProbeOptions probe;
  HookOptions hooks;
  Millis lock_wait{0};
  std::optional<Millis> timeout;  // --timeout: overall deadline of a mutating verb (none)
  Millis timeout_grace{30000};    // then this long before the second SIGINT
  bool json = false;
  bool yes = false;
  bool dry_run = false;
  bool force = false;
  int verbosity = 0;  // -1 quiet, 0 normal, 1+ verbose
  ColorMode color = ColorMode::Auto;
  int history_limit = 20;
  bool status_check = false;
  bool status_refresh = false;  // status --refresh: a refresh-only plan, shown, never applied
  std::filesystem::path
      exe_dir;  // the running xdeploy's directory: its sibling programs, the module

  std::string state_dir() const { return chdir + "/.xdeploy"; }
};

}  // namespace xd
