#include "falcon_xecutor/http/bounded_server.h"

#include "falcon_xecutor/http/structured_log.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace xecutor {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Set on the accepting thread while it runs a connection the pool refused;
// set by a handler on the worker that serves the connection.
thread_local bool t_reject_connection =
    false;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
thread_local bool t_close_after =
    false;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

class Lingerer;
// Where the accepting thread hands a refused connection (set with the flag above).
thread_local Lingerer* t_lingerer =
    nullptr;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

class DeadlineStream;
// Per worker: when the connection it serves was accepted, when the current
// request started, and that request's stream (for limit_body()).
thread_local Clock::time_point
    t_accepted_at{};  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
thread_local Clock::time_point
    t_request_started{};  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
thread_local DeadlineStream* t_stream =
    nullptr;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

constexpr std::string_view kOverloaded =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 29\r\n"
    "Retry-After: 1\r\n"
    "Connection: close\r\n"
    "\r\n"
    R"({"error":"server overloaded"})";

int poll_ms(milliseconds d) {
  return static_cast<int>(std::clamp<milliseconds::rep>(d.count(), 0, 60000));
}

bool wait_for(int fd, short events, milliseconds budget) {
  pollfd p{fd, events, 0};
  int r = 0;
  do {
    r = ::poll(&p, 1, poll_ms(budget));
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

std::pair<std::string, int> address_of(int fd, bool peer) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len)) != 0) return {"", 0};
  std::array<char, NI_MAXHOST> host{};
  std::array<char, NI_MAXSERV> port{};
  if (::getnameinfo(sa, len, host.data(), host.size(), port.data(), port.size(),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return {"", 0};
  return {host.data(), std::atoi(port.data())};
}

// The connection as httplib reads and writes it: buffered reads (httplib's
// line reader asks for one byte at a time), each read or write bounded by the
// I/O timeout, and all reads of one request by the request deadline.
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(int fd, const ServerLimits& limits) : fd_(fd), limits_(limits) {}

  void start_request() {
    deadline_ = Clock::now() + limits_.request_read_deadline;
    budget_.reset();
    over_budget_ = false;
  }
  // At most `bytes` more may be read for this request.
  void limit_reads(std::size_t bytes) { budget_ = bytes; }
  bool over_budget() const { return over_budget_; }
  bool has_buffered() const { return pos_ < len_; }
  // A read timed out, hit the request deadline, failed or met the end of the
  // stream: httplib may still answer (400/408) but the connection is done,
  // otherwise a slow client would start a new "request" on the same worker.
  bool read_failed() const { return read_failed_; }

  bool is_readable() const override { return pos_ < len_ || wait_for(fd_, POLLIN, read_budget()); }
  bool is_writable() const override {
    return wait_for(fd_, POLLOUT, std::chrono::duration_cast<milliseconds>(limits_.io_timeout));
  }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == len_) {
      if (read_budget().count() <= 0 || !wait_for(fd_, POLLIN, read_budget())) {
        read_failed_ = true;
        return -1;
      }
      ssize_t n = 0;
      do {
        n = ::recv(fd_, buf_.data(), buf_.size(), 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) {
        read_failed_ = true;
        return n;
      }
      pos_ = 0;
      len_ = static_cast<std::size_t>(n);
    }
    std::size_t n = std::min(size, len_ - pos_);
    if (budget_) {
      if (*budget_ == 0) {
        over_budget_ = read_failed_ = true;
        return -1;
      }
      n = std::min(n, *budget_);
      *budget_ -= n;
    }
    std::memcpy(ptr, buf_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n = 0;
    do {
      n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    std::tie(ip, port) = address_of(fd_, true);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    std::tie(ip, port) = address_of(fd_, false);
  }
  socket_t socket() const override { return fd_; }

 private:
  milliseconds read_budget() const {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
    return std::min(left, std::chrono::duration_cast<milliseconds>(limits_.io_timeout));
  }

  int fd_;
  const ServerLimits& limits_;
  Clock::time_point deadline_ = Clock::now();
  std::array<char, 4096> buf_{};
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  bool read_failed_ = false;
  std::optional<std::size_t> budget_;  // bytes this request may still read
  bool over_budget_ = false;
};

// A refused connection is one line at most once a second, with how many were
// refused since the previous line: a flood must not fill the disk through the
// log. (Refusals after the last line of a flood are counted in the next one.)
void log_refused_connection() {
  static std::atomic<long> refused_since_line{0};
  static std::atomic<Clock::rep> last_line{0};
  ++refused_since_line;
  constexpr auto kOneSecond = std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1));
  const auto now = Clock::now().time_since_epoch().count();
  auto last = last_line.load();
  if (now - last < kOneSecond.count() || !last_line.compare_exchange_strong(last, now)) return;
  log_event(spdlog::level::warn,
            {{"event", "server_overloaded"},
             {"refused_connections", refused_since_line.exchange(0)},
             {"answer", "503 server overloaded (TradingView resends it 5 s later)"},
             {"note", "at most one such line a second"}});
}

// Refused connections linger here briefly before being closed: the client
// usually sends its request after the 503 went out, and closing at once would
// answer that request with a reset, which makes many clients drop the 503.
// One thread, one poll() over all of them, a hard cap on how many wait.
class Lingerer {
 public:
  Lingerer() : thread_([this] { run(); }) {}
  ~Lingerer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
    for (const auto& w : waiting_) ::close(w.fd);
  }
  Lingerer(const Lingerer&) = delete;
  Lingerer& operator=(const Lingerer&) = delete;

  // Answers 503 without blocking and takes ownership of fd.
  void refuse(int fd) {
    (void)::send(fd, kOverloaded.data(), kOverloaded.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(fd, SHUT_WR);
    std::lock_guard lock(mutex_);
    if (waiting_.size() >= kMaxWaiting) {
      ::close(fd);
      return;
    }
    waiting_.push_back({fd, Clock::now() + kLinger});
    cv_.notify_one();
  }

 private:
  static constexpr std::size_t kMaxWaiting = 1024;
  static constexpr milliseconds kLinger{1000};
  struct Waiting {
    int fd;
    Clock::time_point until;
  };

  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (waiting_.empty()) {
        cv_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
        continue;
      }
      std::vector<pollfd> fds;
      for (const auto& w : waiting_) fds.push_back({w.fd, POLLIN, 0});
      lock.unlock();
      (void)::poll(fds.data(), fds.size(), 50);  // short: new refusals join the next round
      lock.lock();
      const auto now = Clock::now();
      std::array<char, 4096> sink{};
      std::erase_if(waiting_, [&](const Waiting& w) {
        ssize_t n = 0;
        while ((n = ::recv(w.fd, sink.data(), sink.size(), MSG_DONTWAIT)) > 0) {
        }
        const bool peer_done = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        if (!peer_done && now < w.until) return false;
        ::close(w.fd);
        return true;
      });
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Waiting> waiting_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace

struct LoadCounters {
  std::atomic<std::size_t> busy{0};
  std::atomic<std::size_t> queued{0};
  std::atomic<std::size_t> rejected{0};
};

// Fixed workers, bounded queue; a connection that finds both full runs
// inline on the accepting thread flagged for rejection (see above).
class BoundedServer::Pool final : public httplib::TaskQueue {
 public:
  Pool(const ServerLimits& limits, std::shared_ptr<LoadCounters> load)
      : capacity_(limits.workers + limits.queue), load_(std::move(load)) {
    for (std::size_t i = 0; i < limits.workers; ++i) threads_.emplace_back([this] { work(); });
  }
  ~Pool() override { shutdown(); }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      if (in_service_ + jobs_.size() < capacity_) {
        // The accept time travels with the connection: a deadline counts the wait.
        jobs_.push_back([fn = std::move(fn), accepted = Clock::now()] {
          t_accepted_at = accepted;
          fn();
        });
        load_->queued = jobs_.size();
        cv_.notify_one();
        return;
      }
    }
    ++load_->rejected;
    log_refused_connection();
    t_reject_connection = true;
    t_lingerer = &lingerer_;
    fn();  // -> process_and_close_socket: answers 503, no read, no wait
    t_reject_connection = false;
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and every accepted connection served
        job = std::move(jobs_.front());
        jobs_.pop_front();
        ++in_service_;
        load_->queued = jobs_.size();
        load_->busy = in_service_;
      }
      job();
      std::lock_guard lock(mutex_);
      --in_service_;
      load_->busy = in_service_;
    }
  }

  const std::size_t capacity_;  // workers + queue: connections admitted at once
  std::shared_ptr<LoadCounters> load_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::size_t in_service_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  Lingerer lingerer_;
};

BoundedServer::BoundedServer(ServerLimits limits) : limits_(limits) {
  auto load = std::make_shared<LoadCounters>();
  load_ = load;
  new_task_queue = [this, load] { return new Pool(limits_, load); };
  set_keep_alive_timeout(limits_.idle_keep_alive.count());
}

BoundedServer::~BoundedServer() = default;

ServerLoad BoundedServer::load() const {
  return {load_->busy.load(), load_->queued.load(), load_->rejected.load()};
}

void BoundedServer::close_after_response() {
  t_close_after = true;
}

std::chrono::steady_clock::time_point BoundedServer::request_started_at() {
  return t_request_started == Clock::time_point{} ? Clock::now() : t_request_started;
}

void BoundedServer::limit_body(std::size_t bytes) {
  // Chunk framing (size lines, CRLFs) rides on top of the body bytes.
  if (t_stream != nullptr) t_stream->limit_reads(2 * bytes + 256);
}

bool BoundedServer::body_over_budget() {
  return t_stream != nullptr && t_stream->over_budget();
}

bool BoundedServer::process_and_close_socket(socket_t sock) {
  if (t_reject_connection) {
    t_lingerer->refuse(sock);
    return true;
  }
  serve(sock);
  return true;
}

void BoundedServer::serve(socket_t sock) {
  DeadlineStream strm(sock, limits_);
  t_stream = &strm;
  const auto idle = std::chrono::duration_cast<milliseconds>(limits_.idle_keep_alive);
  bool first = true;
  for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
    // Wait for the next request in short slices, so stop() is noticed.
    const auto until = Clock::now() + idle;
    bool readable = false;
    while (!readable && svr_sock_ != INVALID_SOCKET && Clock::now() < until)
      readable = strm.has_buffered() ||
                 wait_for(sock, POLLIN,
                          std::min(milliseconds(100),
                                   std::chrono::duration_cast<milliseconds>(until - Clock::now())));
    if (!readable) break;
    t_request_started =
        first && t_accepted_at != Clock::time_point{} ? t_accepted_at : Clock::now();
    first = false;
    strm.start_request();
    t_close_after = false;
    bool closed = false;
    const bool last = left == 1 || svr_sock_ == INVALID_SOCKET;
    if (!process_request(strm, last, closed, nullptr) || closed || t_close_after ||
        strm.read_failed())
      break;
  }
  t_stream = nullptr;
  t_accepted_at = t_request_started = Clock::time_point{};
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
}

}  // namespace xecutor
