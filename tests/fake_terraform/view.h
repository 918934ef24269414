#pragma once
// Where Terraform's words go: human mode (errors on stderr, everything else on stdout, with or
// without colour boxes) or the -json machine stream (one object per line, all on stdout; §1.5,
// §1.6).
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace fake_tf {

struct Diagnostic {
  Diagnostic() = default;
  Diagnostic(std::string sev, std::string sum, std::string det = {}, std::string addr = {})
      : severity(std::move(sev)),
        summary(std::move(sum)),
        detail(std::move(det)),
        address(std::move(addr)) {}
  std::string severity;  // "error" | "warning"
  std::string summary;
  std::string detail;
  std::string address;  // optional: the resource instance it concerns
};

class View {
 public:
  View(bool json, bool color) : json_(json), color_(color) {}
  bool json() const { return json_; }
  void set_json(bool json) { json_ = json; }
  void set_color(bool color) { color_ = color; }

  // Human text on stdout (ignored in -json mode).
  void out(std::string_view text) const;
  // Human text on stderr (ignored in -json mode).
  void err(std::string_view text) const;
  void diagnostic(const Diagnostic& d) const;
  void error(std::string summary, std::string detail = {}, std::string address = {}) const {
    diagnostic({"error", std::move(summary), std::move(detail), std::move(address)});
  }
  void warning(std::string summary, std::string detail = {}) const {
    diagnostic({"warning", std::move(summary), std::move(detail), {}});
  }
  // One -json stream line; fields are merged into the common envelope (ignored in human mode).
  void message(std::string_view level, std::string_view text, std::string_view type,
               nlohmann::json fields = nlohmann::json::object()) const;
  void version_line() const;

 private:
  bool json_;
  bool color_;
};

}  // namespace fake_tf
