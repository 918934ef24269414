#pragma once
// The local backend: the same blue/green flow on this machine, no AWS. A slot
// is a detached process of the app command on its own port; the "static IP"
// is a router process on the public port forwarding each TCP connection to
// the active slot. Both outlive xdeploy; their state lives in
// <state_dir>/local/ and is written atomically.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "xdeploy/backend/backend.h"

namespace xd {

struct LocalBackendOptions {
  std::filesystem::path state_dir;  // <working dir>/.xdeploy; local state goes in state_dir/local
  // Command line of a slot, split on spaces after substitution of {color} and
  // {port}. Empty: the project's falcon-xecutor service in paper mode.
  std::string app_command;
  int blue_port = 8081;
  int green_port = 8082;
  int public_port = 8080;
  std::string bind = "127.0.0.1";
  std::chrono::milliseconds swap_gap{0};  // router refuses connections this long during a switch
  std::chrono::milliseconds stop_grace{5000};  // SIGTERM, then SIGKILL after this (slots only)
  // A started slot must accept connections on its port within this, else the
  // step fails early with the tail of its log (the health gate comes after).
  // The CLI sets it to --health-timeout.
  std::chrono::milliseconds start_timeout{30000};
  std::string health_path = "/health";
  // Slots serve HTTPS (`--tls`: the slot command is xdeploy-tls-slot, nginx in
  // front of the service): health URLs use https.
  bool tls = false;
  std::filesystem::path
      exe_dir;  // directory of the running xdeploy: where sibling binaries are found
};

std::unique_ptr<Backend> make_local_backend(const LocalBackendOptions& options);

// Stops the router and every slot and removes the local state (`xdeploy down`).
StepOutcome stop_everything_local(const LocalBackendOptions& options);

}  // namespace xd
