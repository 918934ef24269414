#pragma once
// Everything xdeploy says to a person. Human messages go to stderr, results
// (status, history, --json) to stdout, so `xdeploy status --json | jq` works
// while Terraform's lines stream. Every line is also copied to the operation
// log file (.xdeploy/logs/) when one is open.
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "xdeploy/app/app_options.h"

namespace xd {

class Console {
 public:
  Console(ColorMode mode, int verbosity);
  ~Console();

  void open_log(const std::string& path);  // best effort: a failure is a warning
  const std::string& log_path() const { return log_path_; }

  void info(std::string_view text);     // normal progress ("==> teal: ...")
  void detail(std::string_view text);   // only with -v
  void success(std::string_view text);  // green "✔"
  void warn(std::string_view text);
  void error(std::string_view text, std::string_view hint = {});
  // A line of Terraform (or other tool) output, prefixed with the step.
  void stream(std::string_view step, std::string_view line, bool is_stderr);
  // A progress line that rewrites itself on a terminal; plain lines elsewhere.
  void progress(std::string_view text);
  void end_progress();
  // Results: stdout.
  void result(std::string_view text);

  // What main needs to keep the --json promise (one object on stdout, always):
  // whether a result was printed, and the last outcome said to the person.
  int results_printed() const { return results_printed_; }
  const std::string& last_error() const { return last_error_; }
  const std::string& last_hint() const { return last_hint_; }
  const std::string& last_success() const { return last_success_; }

  bool color() const { return color_; }
  bool interactive() const;                               // stdin and stderr are terminals
  bool rewrites_progress() const { return stderr_tty_; }  // progress() overwrites its line
  bool confirm(std::string_view question);                // y/N on the terminal

 private:
  void to_log(std::string_view text);
  bool color_ = false;
  bool stderr_tty_ = false;
  int verbosity_ = 0;
  bool progress_open_ = false;
  std::FILE* log_ = nullptr;
  std::string log_path_;
  int results_printed_ = 0;
  std::string last_error_, last_hint_, last_success_;
};

}  // namespace xd
