#include "xdeploy/http/downtime_prober.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "xdeploy/core/duration.h"
#include "xdeploy/http/health_check.h"
#include "xdeploy/http/http_get.h"
#include "xdeploy/process/interrupts.h"

namespace xd {

// Outside the anonymous namespace: DowntimeProber::Impl (external linkage) holds a
// vector of them, and GCC warns (-Wsubobject-linkage) when such a member's type has
// internal linkage, as it does in a unity build.
struct DowntimeProbe {
  std::chrono::steady_clock::time_point sent;
  bool ok = false;  // a 2xx answer, whatever the color
};

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using Probe = DowntimeProbe;
constexpr milliseconds kWaitTick{50};

milliseconds between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<milliseconds>(to - from);
}

// See DowntimeReport::downtime.
milliseconds longest_outage(const std::vector<Probe>& probes, Clock::time_point start,
                            Clock::time_point stop) {
  milliseconds longest{0};
  Clock::time_point last_good = start;
  bool failing = false;
  for (const Probe& p : probes) {
    if (!p.ok) {
      failing = true;
      continue;
    }
    if (failing) longest = std::max(longest, between(last_good, p.sent));
    failing = false;
    last_good = p.sent;
  }
  if (failing) longest = std::max(longest, between(last_good, stop));
  return longest;
}

}  // namespace

struct DowntimeProber::Impl {
  explicit Impl(ProbeConfig c) : config(std::move(c)) {}

  ProbeConfig config;
  std::thread thread;
  std::atomic<bool> stop_requested{false};
  std::mutex mutex;
  std::condition_variable changed;
  // Guarded by `mutex` while the thread runs.
  bool running = false;
  bool finished = false;
  std::optional<Clock::time_point> switch_time;
  std::optional<milliseconds> first_new_answer;
  // Owned by the thread until it is joined.
  Clock::time_point start_time{};
  Clock::time_point stop_time{};
  std::vector<DowntimeProbe> probes;
  int in_a_row = 0;
  bool served = false;
  int interrupts_before = 0;
  std::optional<DowntimeReport> report;

  void probe_loop();
  void record(const HttpResponse& response, Clock::time_point sent);
  DowntimeReport stop_and_report(bool was_interrupted);
};

void DowntimeProber::Impl::record(const HttpResponse& response, Clock::time_point sent) {
  const bool ok = response.transport_ok() && response.status >= 200 && response.status < 300;
  probes.push_back({sent, ok});
  const bool from_expected = ok && answered_slot(response) == config.expect;
  in_a_row = from_expected ? in_a_row + 1 : 0;
  if (in_a_row >= config.consecutive_needed) served = true;
  if (!from_expected) return;
  std::lock_guard lock(mutex);
  const auto now = Clock::now();
  const auto since = switch_time.value_or(start_time);
  if (!first_new_answer && now >= since) first_new_answer = between(since, now);
}

void DowntimeProber::Impl::probe_loop() {
  HttpOptions options;
  options.timeout = config.timeout;
  options.insecure = config.insecure;
  options.ca_file = config.ca_file;
  options.server_name = config.server_name;
  options.cancel = [this] { return stop_requested.load(); };
  const auto deadline = start_time + config.deadline;
  auto next = start_time;
  while (!stop_requested && !served) {
    const auto sent = Clock::now();
    if (sent >= deadline) break;
    const HttpResponse response = http_get(config.url, options);
    if (stop_requested) break;  // a probe cut short by stop is not a failure
    record(response, sent);
    // Fixed rate; after a slow probe, carry on from now instead of bursting.
    next = std::max(next + config.period, Clock::now());
    std::unique_lock lock(mutex);
    changed.wait_until(lock, std::min(next, deadline), [this] { return stop_requested.load(); });
  }
  std::lock_guard lock(mutex);
  stop_time = Clock::now();
  finished = true;
  changed.notify_all();
}

DowntimeReport DowntimeProber::Impl::stop_and_report(bool was_interrupted) {
  if (report) return *report;
  DowntimeReport r;
  r.expect = config.expect;
  if (thread.joinable()) {
    {
      std::lock_guard lock(mutex);
      stop_requested = true;
    }
    changed.notify_all();
    thread.join();
    r.downtime = longest_outage(probes, start_time, stop_time);
    r.total = static_cast<int>(probes.size());
    for (const Probe& p : probes) r.failed += p.ok ? 0 : 1;
    r.first_new_answer = first_new_answer;
    r.new_color_served = served;
  }
  r.interrupted = was_interrupted;
  report = r;
  return r;
}

DowntimeProber::DowntimeProber(ProbeConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}

DowntimeProber::~DowntimeProber() {
  stop_now();
}

void DowntimeProber::start() {
  if (impl_->running || impl_->report) return;  // one run per prober
  impl_->running = true;
  impl_->interrupts_before = interrupt_count();
  impl_->start_time = Clock::now();
  impl_->thread = std::thread([impl = impl_.get()] { impl->probe_loop(); });
}

void DowntimeProber::mark_switch() {
  std::lock_guard lock(impl_->mutex);
  impl_->switch_time = Clock::now();
}

DowntimeReport DowntimeProber::wait_and_stop() {
  bool was_interrupted = false;
  if (impl_->thread.joinable()) {
    std::unique_lock lock(impl_->mutex);
    while (!impl_->finished) {
      // The counter, not interrupt_fd(): another thread may be polling that.
      if (interrupt_count() > impl_->interrupts_before) {
        was_interrupted = true;
        break;
      }
      impl_->changed.wait_for(lock, kWaitTick);
    }
  }
  return impl_->stop_and_report(was_interrupted);
}

DowntimeReport DowntimeProber::stop_now() {
  return impl_->stop_and_report(false);
}

std::string DowntimeReport::one_line() const {
  std::string line =
      fmt::format("downtime {} ({}/{} probes failed)", format_duration(downtime), failed, total);
  const auto color = to_string(expect);
  if (new_color_served && first_new_answer) {
    line += fmt::format(", {} answered after {}", color, format_duration(*first_new_answer));
  } else if (first_new_answer) {
    line += fmt::format(", {} answered after {} but not steadily", color,
                        format_duration(*first_new_answer));
  } else {
    line += fmt::format(", {} never answered", color);
  }
  if (interrupted) line += " (interrupted)";
  return line;
}

}  // namespace xd
