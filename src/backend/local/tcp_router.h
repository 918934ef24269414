#pragma once
// The local "static IP": accepts TCP connections on the public port and
// relays each one, bytes both ways, to the slot port chosen AT ACCEPT TIME.
// A switch only changes the port for the next accept, so it is atomic for new
// connections while connections in flight finish on the old slot. With a
// gap, the listener is closed for that long (clients are refused), which is
// what Lightsail's detach/attach of the static IP looks like from outside.
#include <filesystem>
#include <string>

namespace xd {

struct RouterConfig {
  std::string bind = "127.0.0.1";
  int public_port = 0;
  int target_port = 0;
  std::string target_host = "127.0.0.1";
  std::filesystem::path control_socket;
  std::filesystem::path target_file;  // router.json: the confirmed target, rewritten on each switch
};

// Serves until SIGTERM or SIGINT; then stops accepting, lets connections in
// flight finish (bounded) and returns the exit status.
int run_router(const RouterConfig& config);

}  // namespace xd
