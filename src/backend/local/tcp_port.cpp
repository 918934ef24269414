#include "tcp_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace xd {
namespace {

bool make_address(const std::string& host, int port, sockaddr_in* addr) {
  std::memset(addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_port = htons(static_cast<uint16_t>(port));
  return inet_pton(AF_INET, host.c_str(), &addr->sin_addr) == 1;
}

int bound_socket(const std::string& bind, int port, std::string* error) {
  sockaddr_in addr{};
  if (port <= 0 || port > 65535) {
    *error = "invalid port " + std::to_string(port);
    return -1;
  }
  if (!make_address(bind, port, &addr)) {
    *error = "invalid IPv4 address \"" + bind + "\"";
    return -1;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::strerror(errno);
    return -1;
  }
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string port_unavailable_reason(const std::string& bind, int port) {
  sockaddr_in addr{};
  const std::string host = bind == "0.0.0.0" ? "127.0.0.1" : bind;
  if (port <= 0 || port > 65535) return "invalid port " + std::to_string(port);
  if (!make_address(host, port, &addr)) return "invalid IPv4 address \"" + bind + "\"";
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return std::strerror(errno);
  std::string verdict;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    verdict = "something accepts connections there";
  } else if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::poll(&p, 1, 1000) <= 0) {
      verdict = "something holds it (connect timed out)";
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
      verdict = "something accepts connections there";
    } else if (err != ECONNREFUSED) {
      verdict = std::strerror(err);
    }
  } else if (errno != ECONNREFUSED) {
    verdict = std::strerror(errno);
  }
  ::close(fd);
  return verdict;
}

int connect_tcp(const std::string& host, int port) {
  sockaddr_in addr{};
  if (!make_address(host, port, &addr)) {
    errno = EINVAL;
    return -1;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int rc = 0;
  do {
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

bool wait_until_listening(const std::string& host, int port, std::chrono::milliseconds budget,
                          const std::function<bool()>& still_worth_waiting) {
  const auto until = std::chrono::steady_clock::now() + budget;
  for (;;) {
    const int fd = connect_tcp(host, port);
    if (fd >= 0) {
      ::close(fd);
      return true;
    }
    if (!still_worth_waiting() || std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

int listen_tcp(const std::string& bind, int port, std::string* error) {
  const int fd = bound_socket(bind, port, error);
  if (fd < 0) return -1;
  if (::listen(fd, 512) != 0) {
    *error = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace xd
