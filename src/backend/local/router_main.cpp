// xdeploy-router: the local backend's "static IP". Started detached by
// xdeploy (`--backend local`), it outlives xdeploy and is driven through its
// control socket. See tcp_router.h and router_control.h.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "tcp_router.h"

int main(int argc, char** argv) {
  xd::RouterConfig config;
  std::string control;
  std::string target_file;
  CLI::App app{"xdeploy-router: forwards TCP connections on the public port to the active slot"};
  app.add_option("--bind", config.bind, "address to listen on")->capture_default_str();
  app.add_option("--port", config.public_port, "public port")
      ->required()
      ->check(CLI::Range(1, 65535));
  app.add_option("--target", config.target_port, "slot port to forward to")
      ->required()
      ->check(CLI::Range(1, 65535));
  app.add_option("--control", control, "unix socket for status/switch requests")->required();
  app.add_option("--state-file", target_file, "where the confirmed target is written atomically");
  CLI11_PARSE(app, argc, argv);
  config.control_socket = control;
  config.target_file = target_file;
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l router[%P] %v");
  try {
    return xd::run_router(config);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
