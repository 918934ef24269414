#include "option_groups.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <utility>

#include "xdeploy/app/backend_factory.h"

namespace xd {

using namespace std::chrono_literals;

void BackendGroup::declare(DeclaredOptions& d, AppOptions& o) {
  d.choice("--backend", backend, "terraform (Lightsail) or local (this machine)",
           {"terraform", "local"});
  d.text("--terraform", o.terraform.binary, "Terraform or OpenTofu binary", ValueKind::Command)
      ->envname("XDEPLOY_TERRAFORM");
  d.text("-C,--chdir", o.chdir, "working dir: the Terraform root module; .xdeploy/ lives here",
         ValueKind::Directory);
  d.repeated("--var-file", o.terraform.var_files, "passed to terraform plan (repeatable)",
             ValueKind::File);
  d.duration("--tf-lock-timeout", o.terraform.lock_timeout, "Terraform's own -lock-timeout");
  d.duration("--move-deadline", o.terraform.move_deadline,
             "how long prod may be dark in a move that cannot attach: the attach is cut short "
             "(one SIGINT) in time for the way back to the previous slot, exit 6",
             1000ms);
}

void BackendGroup::finish(AppOptions& o) const {
  o.backend = backend == "local" ? BackendKind::Local : BackendKind::Terraform;
}

void OutputGroup::declare(DeclaredOptions& d, AppOptions& o) {
  d.flag("--json", o.json, "print the result as one JSON object on stdout");
  d.flag("-y,--yes", o.yes, "do not ask before destructive steps");
  d.flag("--dry-run", o.dry_run,
         "show the steps and commands, run the first plan read-only, change nothing");
  d.flag("--force", o.force, "allow replacing the ACTIVE slot (downtime)");
  d.counted("-v,--verbose", verbose, "more detail (repeatable)");
  d.flag("-q,--quiet", quiet, "only errors and results");
  d.choice("--color", color, "auto, always or never (NO_COLOR is honoured)",
           {"auto", "always", "never"});
}

void OutputGroup::finish(AppOptions& o) const {
  o.color = color == "always"  ? ColorMode::Always
            : color == "never" ? ColorMode::Never
                               : ColorMode::Auto;
  o.verbosity = quiet ? -1 : verbose;
}

// Periods and timeouts of HTTP requests have a floor: 0 means a busy loop of
// requests (`--health-interval 0` sent 2,594 in 2 s) or a timeout no request
// can meet.
void HealthGroup::declare(DeclaredOptions& d, AppOptions& o) {
  d.number("--health-status", o.health.status, "expected HTTP status");
  d.text("--health-body", o.health.body_contains, "substring the health body must contain");
  d.duration("--health-request-timeout", o.health.request_timeout, "per health request", 50ms);
  d.duration("--health-interval", o.health.interval, "between health attempts", 50ms);
  d.duration("--health-timeout", o.health.timeout, "overall health gate deadline", 50ms);
  d.flag("--health-insecure", o.health.insecure, "accept self-signed certificates");
  d.text("--health-ca-file", o.health.ca_file,
         "PEM CA to verify HTTPS health answers against (gate, prober, status)")
      ->check(CLI::ExistingFile);
  check_host_name(
      *d.text("--health-server-name", o.health.server_name,
              "verify HTTPS health certificates as issued for this name, still connecting to each "
              "slot's own address"));
}

std::string HealthGroup::finish(const AppOptions& o) const {
  if (o.health.status < 100 || o.health.status > 599)
    return "--health-status must be an HTTP status (100-599)";
  return "";
}

void RunGroup::declare(DeclaredOptions& d, AppOptions& o) {
  d.duration("--lock-wait", o.lock_wait, "wait this long for another xdeploy (seconds or 10m)", 0ms,
             "0");
  d.text("--timeout", timeout,
         "overall deadline (e.g. 30m): then Terraform gets one SIGINT, exit 124");
  d.duration("--timeout-grace", o.timeout_grace,
             "after --timeout, wait this long before a second SIGINT (never SIGKILL)");
}

std::string RunGroup::finish(AppOptions& o) const {
  if (timeout == "none") return "";
  const auto value = parse_duration(timeout);
  if (!value || value->count() <= 0)
    return fmt::format("--timeout: \"{}\" is not a positive duration (e.g. 30m) or none", timeout);
  o.timeout = *value;
  return "";
}

// The prober's floor is lower than the gate's: its period is the resolution of
// the downtime it measures across a switch, and 10 ms is 100 requests a second.
void ProbeGroup::declare(DeclaredOptions& d, AppOptions& o) {
  d.duration("--probe-interval", o.probe.period, "downtime prober: time between probes", 10ms);
  d.duration("--probe-timeout", o.probe.timeout, "downtime prober: per probe", 50ms);
  d.duration("--probe-deadline", o.probe.deadline,
             "downtime prober: give up (then roll back) after", 50ms);
  d.number("--probe-successes", o.probe.successes,
           "answers in a row from the new color that end probing", 1, 1000);
  d.switch_off("--no-probe", o.probe.enabled, "do not measure downtime (and never auto-roll back)");
  d.switch_off("--no-auto-rollback", o.probe.auto_rollback,
               "leave a promote that never serves as it is");
}

namespace {

std::optional<std::pair<int, int>> parse_ports(const std::string& text) {
  int blue = 0, green = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d,%d%c", &blue, &green, &extra) != 2) return std::nullopt;
  if (blue < 1 || blue > 65535 || green < 1 || green > 65535 || blue == green) return std::nullopt;
  return std::make_pair(blue, green);
}

}  // namespace

void LocalGroup::declare(DeclaredOptions& d, AppOptions& o) {
  d.text("--app-command", o.local.app_command,
         "local backend: slot command with {color} and {port}", ValueKind::Command);
  slot_ports = fmt::format("{},{}", o.local.blue_port, o.local.green_port);
  d.text("--slot-ports", slot_ports, "local backend: BLUE,GREEN ports");
  d.number("--public-port", o.local.public_port, "local backend: the router's port", 1, 65535);
  d.text("--bind", o.local.bind, "local backend: router address");
  d.duration("--swap-gap", o.local.swap_gap,
             "local backend: refuse connections this long on a switch");
}

std::string LocalGroup::finish(AppOptions& o) const {
  const auto ports = parse_ports(slot_ports);
  if (!ports)
    return fmt::format("--slot-ports \"{}\" must be two different ports, BLUE,GREEN", slot_ports);
  o.local.blue_port = ports->first;
  o.local.green_port = ports->second;
  if (o.local.public_port == o.local.blue_port || o.local.public_port == o.local.green_port)
    return "--public-port must differ from the slot ports";
  return "";
}

void TlsGroup::declare(DeclaredOptions& d, AppOptions& o) {
  d.flag("--tls", tls,
         "local backend: each slot behind the slots' nginx TLS front (needs --tls-cert/--tls-key)");
  d.text("--tls-cert", o.local.tls_cert, "local backend --tls: PEM certificate nginx serves")
      ->check(CLI::ExistingFile);
  d.text("--tls-key", o.local.tls_key, "local backend --tls: its PEM private key")
      ->check(CLI::ExistingFile);
}

std::string TlsGroup::finish(AppOptions& o) const {
  if (!tls) return "";
  if (o.backend != BackendKind::Local) return "--tls is for the local backend (--backend local)";
  if (o.local.tls_cert.empty() || o.local.tls_key.empty())
    return "--tls needs --tls-cert and --tls-key";
  o.local.tls = true;
  return "";
}

void HookGroup::declare(DeclaredOptions& d, AppOptions& o) {
  d.text("--hooks-dir", o.hooks.dir,
         "hooks: where pre-deploy, post-promote ... live (default: CHDIR/.xdeploy/hooks)",
         ValueKind::Directory);
  d.duration("--hook-timeout", o.hooks.timeout,
             "hooks: stop a hook (SIGTERM, then SIGKILL) after this long");
  d.switch_off("--no-hooks", o.hooks.enabled, "do not run any hook");
}

void OptionGroups::declare(DeclaredOptions& d, AppOptions& o) {
  backend_.declare(d, o);
  output_.declare(d, o);
  health_.declare(d, o);
  run_.declare(d, o);
  probe_.declare(d, o);
  local_.declare(d, o);
  tls_.declare(d, o);
  hooks_.declare(d, o);
}

std::string OptionGroups::finish(const DeclaredOptions& d, AppOptions& o) const {
  backend_.finish(o);
  output_.finish(o);
  // Usage errors in the order they have always been looked for.
  if (auto error = d.finish(); !error.empty()) return error;
  if (auto error = run_.finish(o); !error.empty()) return error;
  if (auto error = local_.finish(o); !error.empty()) return error;
  if (auto error = health_.finish(o); !error.empty()) return error;
  if (auto error = tls_.finish(o); !error.empty()) return error;
  return finish_backend_options(o);  // the backend options that derive from the others
}

}  // namespace xd
