#pragma once
// The router's control channel: a unix socket in <state_dir>/local (only our
// user can reach it), one JSON request per connection, one JSON reply:
//   {"cmd":"status"}  (answered at once, even during a swap gap)                       ->
//   {"ok":true,"program":"xdeploy-router","pid":..,"target_port":..,...}
//   {"cmd":"switch","port":P,"gap_ms":G}   -> {"ok":true,"target_port":P} once new connections go
//   to P
//                                             (and, with G > 0, after refusing connections for G
//                                             ms)
// The router also writes its target to router.json (atomically) before each
// acknowledgement, so the last confirmed target survives the router itself.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>

namespace xd {

inline constexpr const char* kRouterProgram = "xdeploy-router";

// A sockaddr_un for `path`. Paths longer than sun_path are reached through
// /proc/self/fd/<dirfd>/<name>, so a deep working directory still works.
class UnixAddress {
 public:
  explicit UnixAddress(const std::filesystem::path& path);
  ~UnixAddress();
  UnixAddress(const UnixAddress&) = delete;
  UnixAddress& operator=(const UnixAddress&) = delete;
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const sockaddr* addr() const { return reinterpret_cast<const sockaddr*>(&addr_); }
  socklen_t size() const { return sizeof addr_; }

 private:
  sockaddr_un addr_{};
  int dir_fd_ = -1;
  std::string error_;
};

struct RouterStatus {
  int pid = 0;
  int target_port = 0;
  std::string listen;  // bind:port
  int connections = 0;
  std::optional<int> switching_to;  // during a swap gap: the port it will switch to
};

struct RouterReply {
  std::optional<RouterStatus> status;
  std::string error;  // could not reach the router, or it refused
};

RouterReply query_router(const std::filesystem::path& socket, std::chrono::milliseconds timeout);
// Blocks until the router acknowledges (the gap included).
RouterReply switch_router(const std::filesystem::path& socket, int port,
                          std::chrono::milliseconds gap);

// The target the router last confirmed, from the file it writes (nullopt if none).
std::optional<int> read_router_target_file(const std::filesystem::path& file);

}  // namespace xd
