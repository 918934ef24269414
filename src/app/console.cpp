#include "xdeploy/app/console.h"

#include <fmt/chrono.h>
#include <fmt/color.h>
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xdeploy/core/ansi_text.h"

namespace xd {

Console::Console(ColorMode mode, int verbosity) : verbosity_(verbosity) {
  stderr_tty_ = ::isatty(STDERR_FILENO) == 1;
  const char* no_color = std::getenv("NO_COLOR");
  const bool no_color_env = no_color && *no_color;
  color_ = mode == ColorMode::Always || (mode == ColorMode::Auto && stderr_tty_ && !no_color_env);
}

Console::~Console() {
  if (log_) std::fclose(log_);
}

void Console::open_log(const std::string& path) {
  // 0600: the log has everything Terraform printed (fchmod: whatever the umask says).
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::fchmod(fd, 0600);
  log_ = fd >= 0 ? ::fdopen(fd, "a") : nullptr;
  if (!log_) {
    if (fd >= 0) ::close(fd);
    warn(fmt::format("cannot write the log file {}; continuing without it", path));
    return;
  }
  log_path_ = path;
}

void Console::to_log(std::string_view text) {
  if (!log_) return;
  const auto now = std::chrono::system_clock::now();
  fmt::print(log_, "{:%Y-%m-%dT%H:%M:%S}Z {}\n",
             fmt::gmtime(std::chrono::system_clock::to_time_t(now)), strip_ansi(text));
  std::fflush(log_);
}

void Console::end_progress() {
  if (progress_open_) {
    fmt::print(stderr, "\n");
    progress_open_ = false;
  }
}

void Console::info(std::string_view text) {
  to_log(text);
  if (verbosity_ < 0) return;
  end_progress();
  if (color_)
    fmt::print(stderr, fmt::emphasis::bold, "{}\n", text);
  else
    fmt::print(stderr, "{}\n", text);
}

void Console::detail(std::string_view text) {
  to_log(text);
  if (verbosity_ < 1) return;
  end_progress();
  fmt::print(stderr, "{}\n", text);
}

void Console::success(std::string_view text) {
  to_log(text);
  last_success_ = text;
  if (verbosity_ < 0) return;
  end_progress();
  if (color_)
    fmt::print(stderr, fg(fmt::terminal_color::green), "✔ {}\n", text);
  else
    fmt::print(stderr, "OK: {}\n", text);
}

void Console::warn(std::string_view text) {
  to_log(fmt::format("warning: {}", text));
  end_progress();
  if (color_)
    fmt::print(stderr, fg(fmt::terminal_color::yellow), "warning: {}\n", text);
  else
    fmt::print(stderr, "warning: {}\n", text);
}

void Console::error(std::string_view text, std::string_view hint) {
  to_log(fmt::format("error: {}", text));
  last_error_ = text;
  last_hint_ = hint;
  if (!hint.empty()) to_log(fmt::format("hint: {}", hint));
  end_progress();
  if (color_)
    fmt::print(stderr, fg(fmt::terminal_color::red) | fmt::emphasis::bold, "xdeploy: {}\n", text);
  else
    fmt::print(stderr, "xdeploy: {}\n", text);
  if (!hint.empty()) fmt::print(stderr, "  next: {}\n", hint);
}

void Console::stream(std::string_view step, std::string_view line, bool is_stderr) {
  to_log(fmt::format("[{}]{} {}", step, is_stderr ? "!" : "", line));
  if (verbosity_ < 0 && !is_stderr) return;
  end_progress();
  if (color_)
    fmt::print(stderr, fg(fmt::terminal_color::cyan), "[{}] ", step);
  else
    fmt::print(stderr, "[{}] ", step);
  fmt::print(stderr, "{}\n", line);
}

void Console::progress(std::string_view text) {
  if (verbosity_ < 0) return;
  if (stderr_tty_) {
    fmt::print(stderr, "\r\033[K{}", text);
    progress_open_ = true;
  } else {
    fmt::print(stderr, "{}\n", text);
  }
  std::fflush(stderr);
}

void Console::result(std::string_view text) {
  end_progress();
  fmt::print(stdout, "{}\n", text);
  std::fflush(stdout);
  ++results_printed_;
}

bool Console::interactive() const {
  return stderr_tty_ && ::isatty(STDIN_FILENO) == 1;
}

bool Console::confirm(std::string_view question) {
  end_progress();
  fmt::print(stderr, "{} [y/N] ", question);
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace xd
