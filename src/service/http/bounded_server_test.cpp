// The HTTP edge under abuse, over real sockets on 127.0.0.1 (port 0): a full
// queue answers 503 at once, slow header senders lose their worker at the
// request deadline, a huge Content-Length is refused before any body byte.
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "falcon_xecutor/http/http_service.h"

using namespace xecutor;
using namespace std::chrono_literals;

namespace {

ServiceRoutes routes() {
  ServiceRoutes r;
  r.webhook = [](const WebhookRequest&) {
    WebhookReply reply;
    reply.status = 200;
    reply.body = "{}";
    reply.outcome = "ok";
    return reply;
  };
  return r;
}

// A running HttpService on an ephemeral loopback port.
class Running {
 public:
  explicit Running(ServerLimits limits) : service_({"blue", "test", "paper"}, routes(), limits) {
    REQUIRE(service_.bind("127.0.0.1", 0));
    thread_ = std::thread([this] { service_.run(); });
  }
  ~Running() {
    service_.stop();
    thread_.join();
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

  int port() const { return service_.port(); }
  ServerLoad load() const { return service_.load(); }

 private:
  HttpService service_;
  std::thread thread_;
};

// A connected socket whose reads give up after `timeout`.
int connect_to(int port, std::chrono::seconds timeout = 20s) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  return fd;
}

void send_text(int fd, const std::string& text) {
  (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
}

// Everything until the peer closes or the read timeout; "" on timeout with nothing.
std::string read_until_close(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Polls a condition the server reaches on its own (connections accepted and
// handed out): no fixed sleep stands in for it.
template <class F>
bool eventually(F condition, std::chrono::seconds budget = 20s) {
  const auto until = std::chrono::steady_clock::now() + budget;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

int health_status(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(10s);
  c.set_read_timeout(10s);
  const auto r = c.Get("/health");
  if (!r) UNSCOPED_INFO("health request failed: " << httplib::to_string(r.error()));
  return r ? r->status : -1;
}

}  // namespace

TEST_CASE(
    "service edge: with every worker and queue slot taken, a new connection gets 503 at once") {
  ServerLimits limits;
  limits.workers = 2;
  limits.queue = 1;
  limits.request_read_deadline = 60s;  // the held connections stay held for the whole test
  limits.io_timeout = 60s;
  Running s(limits);

  std::vector<int> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(connect_to(s.port()));
    send_text(held.back(), "GET /health HTTP/1.1\r\n");  // never finished
  }
  REQUIRE(eventually([&] { return s.load().busy == 2 && s.load().queued == 1; }));

  const int extra = connect_to(s.port());
  send_text(extra, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string answer = read_until_close(extra);
  ::close(extra);
  CHECK(answer.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(answer.find("server overloaded") != std::string::npos);
  CHECK(s.load().rejected == 1);

  for (const int fd : held) ::close(fd);  // the workers come back
  CHECK(eventually([&] { return health_status(s.port()) == 200; }));
}

TEST_CASE(
    "service edge: clients sending a header line at a time lose their worker at the deadline") {
  ServerLimits limits;
  limits.workers = 4;
  limits.queue = 4;
  limits.request_read_deadline = 1s;
  Running s(limits);

  // 30 slowloris clients, each reconnecting when cut off, one header line every 200 ms.
  std::atomic<bool> attacking{true};
  std::atomic<int> cut_off{0};
  std::thread attack([&] {
    std::vector<int> fds;
    for (int i = 0; i < 30; ++i) {
      fds.push_back(connect_to(s.port(), 1s));
      send_text(fds.back(), "GET /health HTTP/1.1\r\n");
    }
    while (attacking) {
      for (int& fd : fds) {
        char c = 0;
        if (::recv(fd, &c, 1, MSG_DONTWAIT) == 0 ||
            ::send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) < 0) {
          ++cut_off;  // the server closed it (or answered 503): come back
          ::close(fd);
          fd = connect_to(s.port(), 1s);
          send_text(fd, "GET /health HTTP/1.1\r\n");
        }
      }
      std::this_thread::sleep_for(200ms);  // the attack's own pace
    }
    for (const int fd : fds) ::close(fd);
  });

  // Every health check while the slow clients are cut off and come back (two
  // rounds at least) gets an answer: 200, or 503 when the queue is full; none
  // hangs behind them.
  int ok = 0;
  int overloaded = 0;
  int failed = 0;
  const auto budget = std::chrono::steady_clock::now() + 60s;
  while (cut_off < 60 && std::chrono::steady_clock::now() < budget) {
    const int status = health_status(s.port());
    (status == 200 ? ok : status == 503 ? overloaded : failed)++;
  }
  attacking = false;
  attack.join();
  INFO("health during the attack: " << ok << " x 200, " << overloaded << " x 503, " << failed
                                    << " unanswered; slow clients cut off: " << cut_off);
  CHECK(failed == 0);
  CHECK(ok > 0);
  CHECK(cut_off >= 60);  // slow clients were dropped, not served forever
  CHECK(eventually([&] { return health_status(s.port()) == 200; }));
}

TEST_CASE("service edge: a huge Content-Length is answered 413 before any body byte") {
  ServerLimits limits;
  limits.request_read_deadline = 60s;  // reading the body would outlast the client's 20 s
  limits.io_timeout = 60s;
  Running s(limits);

  const int fd = connect_to(s.port());
  send_text(fd, "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n");
  const std::string answer = read_until_close(fd);  // the server closes after answering
  ::close(fd);
  CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(answer.find("body over 4096 bytes") != std::string::npos);
  CHECK(answer.find("X-Slot: blue") != std::string::npos);

  // Within the limit, the announced length is read and handled as before.
  httplib::Client c("127.0.0.1", s.port());
  const auto small = c.Post("/webhook", std::string(4096, 'x'), "text/plain");
  REQUIRE(small);
  CHECK(small->status == 200);
}
