#include "declared_options.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <regex>

namespace xd {
namespace {

// Durations are checked as they parse, so a bad value is a usage error naming the option.
CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        return parse_duration(value)
                   ? ""
                   : fmt::format("\"{}\" is not a duration (e.g. 500ms, 2s, 5m)", value);
      },
      "DURATION");
}

CLI::Option* with_kind(CLI::Option* option, ValueKind kind) {
  mark_value_kind(*option, kind);
  return option;
}

}  // namespace

CLI::Option* DeclaredOptions::flag(const std::string& names, bool& target,
                                   const std::string& help) {
  return app_.add_flag(names, target, help);
}

CLI::Option* DeclaredOptions::switch_off(const std::string& names, bool& target,
                                         const std::string& help) {
  return app_.add_flag_callback(
      names, [&target] { target = false; }, help);
}

CLI::Option* DeclaredOptions::counted(const std::string& names, int& target,
                                      const std::string& help) {
  return app_.add_flag(names, target, help)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

CLI::Option* DeclaredOptions::text(const std::string& names, std::string& target,
                                   const std::string& help, ValueKind kind) {
  return with_kind(app_.add_option(names, target, help)->capture_default_str(), kind);
}

CLI::Option* DeclaredOptions::repeated(const std::string& names, std::vector<std::string>& target,
                                       const std::string& help, ValueKind kind) {
  return with_kind(
      app_.add_option(names, target, help)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll),
      kind);
}

CLI::Option* DeclaredOptions::choice(const std::string& names, std::string& target,
                                     const std::string& help,
                                     const std::vector<std::string>& choices) {
  return with_kind(
      app_.add_option(names, target, help)->check(CLI::IsMember(choices))->capture_default_str(),
      ValueKind::Choice);
}

CLI::Option* DeclaredOptions::number(const std::string& names, int& target, const std::string& help,
                                     int min, int max) {
  auto* option = app_.add_option(names, target, help);
  if (min <= max) option->check(CLI::Range(min, max));
  return with_kind(option->capture_default_str(), ValueKind::Other);
}

CLI::Option* DeclaredOptions::number(const std::string& names, long& target,
                                     const std::string& help) {
  return with_kind(app_.add_option(names, target, help)->capture_default_str(), ValueKind::Other);
}

CLI::Option* DeclaredOptions::duration(const std::string& names, Millis& target,
                                       const std::string& help, Millis floor,
                                       const std::string& shown_default) {
  Duration& d = durations_[names];
  // The text --help shows must parse back to the target's value.
  d = {shown_default.empty() ? duration_literal(target) : shown_default, &target, floor};
  return with_kind(
      app_.add_option(names, d.text, help)->check(duration_validator())->capture_default_str(),
      ValueKind::Other);
}

std::string DeclaredOptions::finish() const {
  for (const auto& [name, d] : durations_) {
    const auto value = parse_duration(d.text);
    if (!value)
      return fmt::format("{}: \"{}\" is not a duration (e.g. 500ms, 2s, 5m)", name, d.text);
    if (*value < d.floor)
      return fmt::format("{} {} is below the minimum {}", name, d.text, duration_literal(d.floor));
    *d.target = *value;
  }
  return "";
}

void check_host_name(CLI::Option& option) {
  option.check(CLI::Validator(
      [](std::string& value) -> std::string {
        static const std::regex kName(
            R"(^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$)");
        return std::regex_match(value, kName)
                   ? ""
                   : fmt::format("\"{}\" is not a host name (e.g. alerts.example.com)", value);
      },
      "NAME"));
}

}  // namespace xd
