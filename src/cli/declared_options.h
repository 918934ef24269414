#pragma once
// How xdeploy declares a command-line option: one call says all there is to
// know about it, and every reader works from that one declaration:
//   - CLI11 parses it, from the command line and from xdeploy.toml (whose keys
//     are the long names);
//   - --help, and the man page help2man makes of it, prints its help and its
//     default: the bound AppOptions field's value when it is declared;
//   - shell completion reads the kind of value it takes from the option itself
//     (value_kind.h);
//   - finish() checks durations against their floors and stores their values.
// xdeploy's options are declared by group in option_groups.cpp.
#include <map>
#include <string>
#include <vector>

#include "value_kind.h"
#include "xdeploy/core/duration.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace xd {

class DeclaredOptions {
 public:
  explicit DeclaredOptions(CLI::App& app) : app_(app) {}
  DeclaredOptions(const DeclaredOptions&) = delete;
  DeclaredOptions& operator=(const DeclaredOptions&) = delete;

  CLI::Option* flag(const std::string& names, bool& target, const std::string& help);
  // A flag that sets `target` to false (--no-hooks).
  CLI::Option* switch_off(const std::string& names, bool& target, const std::string& help);
  // A flag given N times counts N (-vv).
  CLI::Option* counted(const std::string& names, int& target, const std::string& help);
  CLI::Option* text(const std::string& names, std::string& target, const std::string& help,
                    ValueKind kind = ValueKind::Other);
  // Given N times, N values (--var-file a --var-file b).
  CLI::Option* repeated(const std::string& names, std::vector<std::string>& target,
                        const std::string& help, ValueKind kind = ValueKind::Other);
  CLI::Option* choice(const std::string& names, std::string& target, const std::string& help,
                      const std::vector<std::string>& choices);
  // A number; a range check too when min <= max.
  CLI::Option* number(const std::string& names, int& target, const std::string& help, int min,
                      int max);
  CLI::Option* number(const std::string& names, long& target, const std::string& help);
  // Typed as text ("500ms", "2s", "5m"), checked as it parses; a value below `floor` is
  // refused by finish(). --help shows `shown_default`, or the target's value as a literal.
  CLI::Option* duration(const std::string& names, Millis& target, const std::string& help,
                        Millis floor = Millis{0}, const std::string& shown_default = "");

  // After parsing: the durations' values into their targets. "" or the usage error naming
  // the option (the first by name when several are wrong).
  std::string finish() const;

 private:
  struct Duration {
    std::string text;
    Millis* target = nullptr;
    Millis floor{0};
  };
  CLI::App& app_;
  std::map<std::string, Duration> durations_;  // by long name; CLI11 binds to `text`
};

// A DNS name as a certificate names it: it ends up in a URL and a libcurl
// connect-to entry, so ':' '/' or spaces must never get through.
void check_host_name(CLI::Option& option);

}  // namespace xd
