#pragma once
// Measures what users lose while the static IP (or the local router) moves:
// a background thread GETs the PUBLIC health URL at a fixed rate from just
// before the switch until the new color has answered several times in a row
// (or a deadline passes), and reports the longest window without a good answer.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "xdeploy/core/color.h"

namespace xd {

struct ProbeConfig {
  std::string url;                             // public health URL
  Color expect = Color::Green;                 // the color being promoted
  std::chrono::milliseconds period{100};       // one probe every period
  std::chrono::milliseconds timeout{1000};     // per probe
  int consecutive_needed = 5;                  // new color answers in a row = done
  std::chrono::milliseconds deadline{120000};  // from start(); then give up
  bool insecure = false;
  std::string ca_file;      // HttpOptions::ca_file
  std::string server_name;  // HttpOptions::server_name
};

struct DowntimeReport {
  // Longest window without a successful (2xx, any color) answer: from the
  // last success before a run of failed probes (or start()) to the first
  // success after it (or the stop). 0 when no probe failed. An upper bound,
  // accurate to about one period.
  std::chrono::milliseconds downtime{0};
  int failed = 0;  // probes with no successful answer (any color)
  int total = 0;
  std::optional<std::chrono::milliseconds> first_new_answer;  // since the switch began
  bool new_color_served = false;  // consecutive_needed answers from `expect` seen
  Color expect = Color::Green;    // the color that was awaited
  bool interrupted = false;       // wait_and_stop() ended on Ctrl-C
  std::string one_line() const;   // "downtime 0ms (0/57 probes failed), green answered after 1.2s"
};

class DowntimeProber {
 public:
  explicit DowntimeProber(ProbeConfig config);
  ~DowntimeProber();  // stops the thread
  DowntimeProber(const DowntimeProber&) = delete;
  DowntimeProber& operator=(const DowntimeProber&) = delete;

  void start();        // begins probing now (call just before the switch)
  void mark_switch();  // the switch command begins: first_new_answer counts from here
  // Blocks until the new color served `consecutive_needed` times in a row, the
  // deadline passed, or Ctrl-C; then stops probing and reports.
  DowntimeReport wait_and_stop();
  DowntimeReport stop_now();  // stops at once (switch failed) and reports

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xd
