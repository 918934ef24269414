#pragma once
// xdeploy's global options, one declaration per group. A group binds its
// options to AppOptions (whose fields hold the defaults), declares each in one
// call (declared_options.h: names, help, floor, completion kind) and, in
// finish(), checks what CLI11 cannot and turns what it kept as text into
// values.
//
// To add an option: its field and default in AppOptions (or in
// backend_options.h for a backend's), one call in its group's declare() in
// option_groups.cpp, and a row in the README's option table. Parsing,
// xdeploy.toml, --help, the man page and shell completion follow from the
// declaration.
#include <string>

#include "declared_options.h"
#include "xdeploy/app/app_options.h"

namespace xd {

// Which backend, and where it works: --backend, --terraform, -C, --var-file, --tf-lock-timeout.
struct BackendGroup {
  std::string backend = "terraform";
  void declare(DeclaredOptions& d, AppOptions& o);
  void finish(AppOptions& o) const;
};

// What xdeploy says and asks: --json, --yes, --dry-run, --force, -v, -q, --color.
struct OutputGroup {
  std::string color = "auto";
  int verbose = 0;
  bool quiet = false;
  void declare(DeclaredOptions& d, AppOptions& o);
  void finish(AppOptions& o) const;
};

// The native health gate (and how HTTPS health answers are verified): --health-*.
struct HealthGroup {
  void declare(DeclaredOptions& d, AppOptions& o);
  std::string finish(const AppOptions& o) const;
};

// Waiting for the deploy lock, and the overall deadline: --lock-wait, --timeout, --timeout-grace.
struct RunGroup {
  std::string timeout = "none";
  void declare(DeclaredOptions& d, AppOptions& o);
  std::string finish(AppOptions& o) const;
};

// The downtime prober and the automatic rollback: --probe-*, --no-probe, --no-auto-rollback.
struct ProbeGroup {
  void declare(DeclaredOptions& d, AppOptions& o);
};

// The local backend: --app-command, --slot-ports, --public-port, --bind, --swap-gap.
struct LocalGroup {
  std::string slot_ports;  // "BLUE,GREEN"
  void declare(DeclaredOptions& d, AppOptions& o);
  std::string finish(AppOptions& o) const;
};

// The local slots behind the nginx TLS front: --tls, --tls-cert, --tls-key.
struct TlsGroup {
  bool tls = false;
  void declare(DeclaredOptions& d, AppOptions& o);
  std::string finish(AppOptions& o) const;
};

// Scripts run around an operation (app/hooks.h): --hooks-dir, --hook-timeout, --no-hooks.
struct HookGroup {
  void declare(DeclaredOptions& d, AppOptions& o);
};

class OptionGroups {
 public:
  // Declares every group's options, bound to `o`, in --help order.
  void declare(DeclaredOptions& d, AppOptions& o);
  // After parsing: "" or the usage error of the first group that finds one.
  std::string finish(const DeclaredOptions& d, AppOptions& o) const;

 private:
  BackendGroup backend_;
  OutputGroup output_;
  HealthGroup health_;
  RunGroup run_;
  ProbeGroup probe_;
  LocalGroup local_;
  TlsGroup tls_;
  HookGroup hooks_;
};

}  // namespace xd
