#include "view.h"

#include <fmt/format.h>
#include <unistd.h>

#include <sstream>

#include "clock_ids.h"

namespace fake_tf {

namespace {
void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
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
