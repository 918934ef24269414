#include "view.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <sstream>

#include "clock_ids.h"

namespace fake_tf {

namespace {
// Go's runtime (os/signal docs, "SIGPIPE"): a write to a broken pipe on fd 1 or
// 2 kills the program with SIGPIPE unless it Notify()s it, which Terraform does
// not, and an inherited SIG_IGN does not help. So a Terraform whose reader died
// (a killed xdeploy reading pipes) dies at its next line, mid-apply.
[[noreturn]] void die_of_broken_pipe() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGPIPE, &dfl, nullptr);
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigprocmask(SIG_UNBLOCK, &pipe_only, nullptr);
  raise(SIGPIPE);
  _exit(128 + SIGPIPE);
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE && (fd == STDOUT_FILENO || fd == STDERR_FILENO))
      die_of_broken_pipe();
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// format/diagnostic.go: DiagnosticPlain without colour, the ╷│╵ box with it.
std::string render_human(const Diagnostic& d, bool color) {
  std::string title = (d.severity == "error" ? "Error: " : "Warning: ") + d.summary;
  if (!color) {
    std::string s = "\n" + title + "\n\n";
    if (!d.detail.empty()) s += d.detail + "\n";
    return s;
  }
  std::string s = "╷\n│ " + title + "\n│ \n";
  std::istringstream lines(d.detail);
  for (std::string line; std::getline(lines, line);) s += "│ " + line + "\n";
  return s + "╵\n";
}
}  // namespace

void View::out(std::string_view text) const {
  if (!json_) write_all(STDOUT_FILENO, text);
}
void View::err(std::string_view text) const {
  if (!json_) write_all(STDERR_FILENO, text);
}

void View::diagnostic(const Diagnostic& d) const {
  if (!json_) {
    write_all(d.severity == "error" ? STDERR_FILENO : STDOUT_FILENO, render_human(d, color_));
    return;
  }
  nlohmann::json diag{{"severity", d.severity}, {"summary", d.summary}, {"detail", d.detail}};
  if (!d.address.empty()) diag["address"] = d.address;
  message(d.severity == "error" ? "error" : "warn",
          (d.severity == "error" ? "Error: " : "Warning: ") + d.summary, "diagnostic",
          {{"diagnostic", diag}});
}

void View::message(std::string_view level, std::string_view text, std::string_view type,
                   nlohmann::json fields) const {
  if (!json_) return;
  fields["@level"] = level;
  fields["@message"] = text;
  fields["@module"] = "terraform.ui";
  fields["@timestamp"] = rfc3339_micro_now();
  fields["type"] = type;
  write_all(STDOUT_FILENO, fields.dump() + "\n");
}

void View::version_line() const {
  message("info", fmt::format("Terraform {}", kTerraformVersion), "version",
          {{"terraform", kTerraformVersion}, {"ui", "1.3"}});
}

}  // namespace fake_tf
