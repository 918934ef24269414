#include "tcp_router.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "router_control.h"
#include "tcp_port.h"
#include "xdeploy/fs/atomic_file.h"

namespace xd {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

int g_signal_pipe[2] = {-1, -1};
// Global, not a member: relay threads are detached and may outlive the Router
// object by a few milliseconds at exit.
std::atomic<int> g_connections{0};

void on_signal(int) {
  const char byte = 1;
  (void)!::write(g_signal_pipe[1], &byte, 1);
}

void install_signal_pipe() {
  if (pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// One direction of a relayed connection. When it ends (EOF, reset, or the
// other side gone) the half-close is passed on, so the opposite direction
// ends too once the peer is done.
void pump(int from, int to) {
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(from, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || !send_all(to, buf, static_cast<std::size_t>(n))) break;
  }
  ::shutdown(to, SHUT_WR);
  ::shutdown(from, SHUT_RD);
}

class Router {
 public:
  explicit Router(RouterConfig config) : config_(std::move(config)), target_(config_.target_port) {}

  int run() {
    install_signal_pipe();
    std::string error;
    listener_ = listen_tcp(config_.bind, config_.public_port, &error);
    if (listener_ < 0) {
      spdlog::error("cannot listen on {}: {}", listen_address(), error);
      return 1;
    }
    if (!open_control(&error)) {
      spdlog::error("control socket {}: {}", config_.control_socket.string(), error);
      return 1;
    }
    if (auto e = record_target(); !e.empty())
      spdlog::warn("cannot write {}: {}", config_.target_file.string(), e);
    spdlog::info("listening on {}, forwarding to {}:{}", listen_address(), config_.target_host,
                 target_.load());
    serve();
    return shut_down();
  }

 private:
  std::string listen_address() const {
    return config_.bind + ":" + std::to_string(config_.public_port);
  }

  bool open_control(std::string* error) {
    std::error_code ec;
    std::filesystem::remove(config_.control_socket, ec);  // a dead router's leftover
    UnixAddress address(config_.control_socket);
    if (!address.ok()) {
      *error = address.error();
      return false;
    }
    control_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const mode_t old_mask = umask(0077);  // only our user may switch traffic
    const bool bound = control_ >= 0 && ::bind(control_, address.addr(), address.size()) == 0;
    umask(old_mask);
    if (!bound || ::listen(control_, 16) != 0) {
      *error = std::strerror(errno);
      return false;
    }
    return true;
  }

  // Control requests keep being answered during a swap gap (status tells the
  // truth: still the old target), and a signal still stops the router.
  void serve() {
    for (;;) {
      pollfd fds[3] = {
          {g_signal_pipe[0], POLLIN, 0}, {control_, POLLIN, 0}, {listener_, POLLIN, 0}};
      int timeout = -1;
      if (pending_) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            pending_->until - std::chrono::steady_clock::now());
        timeout = static_cast<int>(std::max<long long>(0, left.count()));
      }
      const int r = ::poll(fds, listener_ >= 0 ? 3 : 2, timeout);
      if (r < 0 && errno == EINTR) continue;
      if (fds[0].revents) return;
      if (pending_ && std::chrono::steady_clock::now() >= pending_->until) finish_pending_switch();
      if (r <= 0) continue;
      if (fds[1].revents & POLLIN) handle_control();
      if (listener_ >= 0 && (fds[2].revents & POLLIN)) accept_client();
    }
  }

  void accept_client() {
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(10ms);
      return;
    }
    const int port =
        target_.load();  // decided here: a switch after this does not move the connection
    ++g_connections;
    std::thread([host = config_.target_host, client, port] {
      relay(host, client, port);
      --g_connections;
    }).detach();
  }

  static void relay(const std::string& host, int client, int port) {
    const int upstream = connect_tcp(host, port);
    if (upstream < 0) {
      ::close(client);  // the client sees the failure, as it would with the slot down
      return;
    }
    std::thread back([client, upstream] { pump(upstream, client); });
    pump(client, upstream);
    back.join();
    ::close(upstream);
    ::close(client);
  }

  void handle_control() {
    const int conn = ::accept4(control_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return;
    std::optional<json> reply;
    try {
      reply = answer(json::parse(read_request(conn)), conn);
    } catch (const std::exception& e) {
      reply = json{{"ok", false}, {"error", e.what()}};
    }
    if (reply) send_reply(conn, *reply);  // else answered when the gap is over
  }

  void send_reply(int conn, json reply) const {
    reply["program"] = kRouterProgram;
    reply["pid"] = ::getpid();
    reply["target_port"] = target_.load();
    reply["listen"] = listen_address();
    reply["connections"] = g_connections.load();
    if (pending_) reply["switching_to"] = pending_->port;
    const std::string text = reply.dump() + "\n";
    send_all(conn, text.data(), text.size());
    ::close(conn);
  }

  static std::string read_request(int conn) {
    std::string text;
    char buf[1024];
    while (text.find('\n') == std::string::npos && text.size() < 65536) {
      pollfd p{conn, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = ::read(conn, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    return text;
  }

  std::optional<json> answer(const json& request, int conn) {
    const std::string cmd = request.at("cmd").get<std::string>();
    if (cmd == "status") return json{{"ok", true}};
    if (cmd != "switch") return json{{"ok", false}, {"error", "unknown command " + cmd}};
    const int port = request.at("port").get<int>();
    if (port <= 0 || port > 65535) return json{{"ok", false}, {"error", "invalid port"}};
    if (pending_) return json{{"ok", false}, {"error", "a switch is already in progress"}};
    const auto gap = std::chrono::milliseconds(request.value("gap_ms", 0));
    if (gap.count() <= 0) return switch_to(port, gap);
    // Refuse connections like a detached static IP: close the listener (the
    // backlog is reset too) and switch once the gap is over.
    ::close(listener_);
    listener_ = -1;
    pending_ = PendingSwitch{port, gap, conn, std::chrono::steady_clock::now() + gap};
    spdlog::info("refusing connections for {}ms before switching to port {}", gap.count(), port);
    return std::nullopt;
  }

  void finish_pending_switch() {
    const PendingSwitch p = *pending_;
    pending_.reset();
    send_reply(p.conn, switch_to(p.port, p.gap));
  }

  json switch_to(int port, std::chrono::milliseconds gap) {
    const int old = target_.load();
    target_.store(port);
    const std::string file_error = record_target();
    if (listener_ < 0 && !reopen_listener()) {
      return {{"ok", false},
              {"error", "switched, but could not listen on " + listen_address() + " again"}};
    }
    spdlog::info("switched {}:{} -> {}:{} (gap {}ms)", config_.target_host, old,
                 config_.target_host, port, gap.count());
    if (!file_error.empty()) return {{"ok", false}, {"error", "switched, but " + file_error}};
    return {{"ok", true}};
  }

  bool reopen_listener() {
    std::string error;
    for (int attempt = 0; attempt < 100 && listener_ < 0; ++attempt) {
      listener_ = listen_tcp(config_.bind, config_.public_port, &error);
      if (listener_ < 0) std::this_thread::sleep_for(50ms);
    }
    if (listener_ < 0) spdlog::error("cannot listen on {} again: {}", listen_address(), error);
    return listener_ >= 0;
  }

  std::string record_target() const {
    if (config_.target_file.empty()) return {};
    const json j = {{"program", kRouterProgram},
                    {"pid", ::getpid()},
                    {"listen", listen_address()},
                    {"target_port", target_.load()}};
    return write_file_atomically(config_.target_file, j.dump() + "\n");
  }

  int shut_down() {
    if (listener_ >= 0) ::close(listener_);
    listener_ = -1;
    std::error_code ec;
    std::filesystem::remove(config_.control_socket, ec);
    spdlog::info("stopping; {} connection(s) in flight", g_connections.load());
    for (int i = 0; i < 60 && g_connections.load() > 0; ++i) std::this_thread::sleep_for(50ms);
    return 0;
  }

  struct PendingSwitch {
    int port;
    std::chrono::milliseconds gap;
    int conn;  // the requester, answered when the switch is done
    std::chrono::steady_clock::time_point until;
  };

  RouterConfig config_;
  std::atomic<int> target_;
  std::optional<PendingSwitch> pending_;
  int listener_ = -1;
  int control_ = -1;
};

}  // namespace

int run_router(const RouterConfig& config) {
  Router router(config);
  return router.run();
}

}  // namespace xd
