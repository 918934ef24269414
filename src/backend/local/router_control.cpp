#include "router_control.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "xdeploy/fs/atomic_file.h"

namespace xd {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads until the peer closes or a newline arrives, within the deadline.
std::optional<std::string> read_reply(int fd, Clock::time_point deadline) {
  std::string reply;
  char buf[4096];
  while (reply.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  return reply;
}

RouterReply request(const std::filesystem::path& socket_path, const json& req,
                    std::chrono::milliseconds timeout) {
  UnixAddress address(socket_path);
  if (!address.ok()) return {std::nullopt, address.error()};
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {std::nullopt, std::strerror(errno)};
  RouterReply out;
  if (::connect(fd, address.addr(), address.size()) != 0) {
    out.error = "router not reachable at " + socket_path.string() + ": " + std::strerror(errno);
  } else if (!send_all(fd, req.dump() + "\n")) {
    out.error = "router closed the control connection";
  } else if (auto text = read_reply(fd, Clock::now() + timeout); !text) {
    out.error = "router did not answer within " + std::to_string(timeout.count()) + "ms";
  } else {
    try {
      const json j = json::parse(*text);
      if (!j.value("ok", false) || j.value("program", "") != kRouterProgram) {
        out.error = "router refused: " + j.value("error", std::string("not an xdeploy router"));
      } else {
        RouterStatus status{j.at("pid").get<int>(), j.at("target_port").get<int>(),
                            j.value("listen", ""), j.value("connections", 0), std::nullopt};
        if (j.contains("switching_to")) status.switching_to = j.at("switching_to").get<int>();
        out.status = status;
      }
    } catch (const std::exception& e) {
      out.error = std::string("garbled router reply: ") + e.what();
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

UnixAddress::UnixAddress(const std::filesystem::path& path) {
  addr_.sun_family = AF_UNIX;
  std::string target = path.string();
  if (target.size() >= sizeof addr_.sun_path) {
    dir_fd_ = ::open(path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd_ < 0) {
      error_ = "cannot open " + path.parent_path().string() + ": " + std::strerror(errno);
      return;
    }
    target = "/proc/self/fd/" + std::to_string(dir_fd_) + "/" + path.filename().string();
    if (target.size() >= sizeof addr_.sun_path) {
      error_ = "socket name too long: " + path.string();
      return;
    }
  }
  std::memcpy(addr_.sun_path, target.c_str(), target.size() + 1);
}

UnixAddress::~UnixAddress() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

RouterReply query_router(const std::filesystem::path& socket, std::chrono::milliseconds timeout) {
  return request(socket, json{{"cmd", "status"}}, timeout);
}

RouterReply switch_router(const std::filesystem::path& socket, int port,
                          std::chrono::milliseconds gap) {
  return request(socket, json{{"cmd", "switch"}, {"port", port}, {"gap_ms", gap.count()}},
                 gap + std::chrono::milliseconds(15000));
}

std::optional<int> read_router_target_file(const std::filesystem::path& file) {
  const auto text = read_text_file(file);
  if (!text) return std::nullopt;
  try {
    return json::parse(*text).at("target_port").get<int>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace xd
