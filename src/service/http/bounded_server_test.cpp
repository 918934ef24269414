// The HTTP edge under abuse, over real sockets on 127.0.0.1 (port 0): a full
// queue answers 503 at once, slow header senders lose their worker at the
// request deadline, a huge Content-Length is refused before any body byte.
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "falcon_xecutor/http/http_service.h"

using namespace xecutor;
using namespace std::chrono_literals;

namespace {

using Webhook = std::function<WebhookReply(const WebhookRequest&)>;

WebhookReply ok_reply() {
  WebhookReply reply;
  reply.status = 200;
  reply.body = "{}";
  reply.outcome = "ok";
  return reply;
}

ServiceRoutes routes(Webhook webhook = {}) {
  ServiceRoutes r;
  r.webhook = webhook ? std::move(webhook) : [](const WebhookRequest&) { return ok_reply(); };
  return r;
}

// A running HttpService on an ephemeral loopback port.
class Running {
 public:
  explicit Running(ServerLimits limits, Webhook webhook = {})
      : service_({"blue", "test", "paper"}, routes(std::move(webhook)), limits) {
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

TEST_CASE("service edge: a chunked body is capped at 4 KiB too, and never read in full") {
  std::atomic<int> handled{0};
  std::atomic<std::size_t> seen{0};
  Running s(ServerLimits{}, [&](const WebhookRequest& r) {
    ++handled;
    seen = r.body.size();
    return ok_reply();
  });
  const auto chunked = [](const std::string& body) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", body.size());
    return "POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
           std::string(size) + body + "\r\n0\r\n\r\n";
  };
  // 6 KB in one chunk: was handled (a valid order in it executed), now 413.
  int fd = connect_to(s.port());
  send_text(fd, chunked(std::string(6000, 'x')));
  std::string answer = read_until_close(fd);
  ::close(fd);
  CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(answer.find("body_too_large") != std::string::npos);
  CHECK(handled == 0);

  // 8 MiB announced in one chunk: answered 413 and cut off long before the end.
  fd = connect_to(s.port());
  send_text(fd,
            "POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800000\r\n");
  const std::string piece(64 * 1024, 'y');
  std::size_t sent = 0;
  while (sent < 8u * 1024 * 1024) {
    const ssize_t n = ::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  answer = read_until_close(fd);
  ::close(fd);
  INFO("bytes the server let in before closing: " << sent);
  CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(sent < 8u * 1024 * 1024);
  CHECK(handled == 0);

  // Within the cap, a chunked body is read and handled.
  fd = connect_to(s.port());
  send_text(fd, chunked(std::string(4000, 'z')));
  ::shutdown(fd, SHUT_WR);
  answer = read_until_close(fd);
  ::close(fd);
  CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(handled == 1);
  CHECK(seen == 4000);
}

TEST_CASE("service edge: a negative, garbled or ambiguous Content-Length is a clear 400 at once") {
  Running s(ServerLimits{});
  for (const std::string& headers :
       {std::string("Content-Length: -1\r\n"), std::string("Content-Length: 12abc\r\n"),
        std::string("Content-Length: \r\n"), std::string(""),  // no length: was read until close
        std::string("Content-Length: 5\r\nContent-Length: 6\r\n"),
        std::string("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        std::string("Transfer-Encoding: gzip\r\n")}) {
    INFO(headers);
    const int fd = connect_to(s.port(), 5s);  // -1 used to hold the connection with no answer
    const auto start = std::chrono::steady_clock::now();
    send_text(fd, "POST /webhook HTTP/1.1\r\nHost: x\r\n" + headers + "\r\nhello");
    const std::string answer = read_until_close(fd);
    ::close(fd);
    CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(answer.find("bad_request") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < 4s);
  }
  CHECK(health_status(s.port()) == 200);
}

TEST_CASE("service edge: a request's clock starts when its connection was accepted") {
  // One worker: the second connection waits in the queue while the first is
  // served; the deadline a webhook gets must include that wait.
  ServerLimits limits;
  limits.workers = 1;
  limits.queue = 4;
  std::mutex m;
  std::vector<std::chrono::milliseconds> waited;
  Running s(limits, [&](const WebhookRequest& r) {
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(m);
      waited.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(now - r.accepted_at));
    }
    std::this_thread::sleep_for(600ms);
    return ok_reply();
  });
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int i = 0; i < 2; ++i)
    clients.emplace_back([&] {
      httplib::Client c("127.0.0.1", s.port());
      c.set_read_timeout(10s);
      if (const auto r = c.Post("/webhook", "x", "text/plain"); r && r->status == 200) ++answered;
    });
  for (auto& t : clients) t.join();
  CHECK(answered == 2);
  REQUIRE(waited.size() == 2);
  std::sort(waited.begin(), waited.end());
  INFO("time from accept to handler: " << waited[0].count() << " ms, " << waited[1].count()
                                       << " ms");
  CHECK(waited[0] < 500ms);
  CHECK(waited[1] >= 500ms);  // the queue wait is on the alert's clock
}
