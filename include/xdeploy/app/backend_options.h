#pragma once
// The backend-specific options: what the command line (or xdeploy.toml) says
// about the Terraform and the local backend. They belong to the backend
// factory (backend_factory.h): it fills in what derives from the other
// options and turns them into each backend's own settings, so neither the app
// nor the CLI layer includes a backend's private headers. Field names follow
// the flags; the defaults here are the flags' defaults.
#include <chrono>
#include <string>
#include <vector>

namespace xd {

struct TerraformOptions {
  std::string binary = "terraform";  // --terraform, XDEPLOY_TERRAFORM, or PATH (tofu works too)
  std::chrono::milliseconds lock_timeout{30000};  // --tf-lock-timeout: Terraform's own state lock
  std::vector<std::string> var_files;             // --var-file, passed to plan
  std::vector<std::string> extra_args;            // after `--`, passed to plan
  // --move-deadline: how long prod may be dark in a move that cannot attach: the attach gets
  // one SIGINT in time for the way back to the previous slot (backend/terraform/move_budget.h).
  std::chrono::milliseconds move_deadline{45000};
  // Derived by finish_backend_options():
  std::string chdir = "terraform";  // the working dir (-C), passed as -chdir=DIR
  bool color = false;               // --color always; else -no-color (output is not a terminal)
};

struct LocalOptions {
  // --app-command: a slot's command line, {color} and {port} substituted. Empty: the
  // project's falcon-xecutor service in paper mode (with --tls: behind the TLS front).
  std::string app_command;
  int blue_port = 8081;  // --slot-ports BLUE,GREEN
  int green_port = 8082;
  int public_port = 8080;                 // --public-port: the router's
  std::string bind = "127.0.0.1";         // --bind: the router's address
  std::chrono::milliseconds swap_gap{0};  // --swap-gap: refuse connections this long on a switch
  bool tls = false;                       // --tls: each slot behind the slots' nginx TLS front
  std::string tls_cert;                   // --tls-cert, --tls-key: the pair nginx serves
  std::string tls_key;
  // Derived by finish_backend_options(): a started slot must listen within the health
  // gate's deadline (--health-timeout), else its step fails early with its log.
  std::chrono::milliseconds start_timeout{30000};
};

}  // namespace xd
