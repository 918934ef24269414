#pragma once
// Go `flag` package semantics (ContinueOnError), which Terraform uses for every subcommand.
// CLI11 follows GNU conventions (no single-dash long flags, no "stop at first non-flag"),
// so a faithful fake needs this small, exact re-statement of Go's rules (facts §1.1).
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fake_tf {

// A Go flag error; what() is Go's exact message, e.g. "flag provided but not defined: -x".
struct FlagError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// `-h` / `-help` when not defined: Go returns flag.ErrHelp and Terraform prints the help text.
struct HelpRequested : std::runtime_error {
  HelpRequested() : std::runtime_error("help requested") {}
};

std::optional<bool> parse_go_bool(std::string_view text);
// Go time.ParseDuration ("0", "1.5s", "2m30s", "300ms").
std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text);

class FlagSet {
 public:
  void boolean(const std::string& name, bool* target);
  void string(const std::string& name, std::string* target);
  void repeated(const std::string& name, std::vector<std::string>* target);
  void integer(const std::string& name, int* target);
  void duration(const std::string& name, std::chrono::milliseconds* target);
  // Several flags feeding one ordered list of (flag, value), like Terraform's -var/-var-file.
  void ordered(const std::string& name, std::vector<std::pair<std::string, std::string>>* target);

  // Parses flags until the first non-flag or "--"; returns the remaining positional arguments.
  std::vector<std::string> parse(const std::vector<std::string>& args);
  bool was_set(const std::string& name) const { return set_.count(name) > 0; }

 private:
  enum class Kind { Bool, String, List, Int, Duration, Ordered };
  struct Flag {
    Kind kind;
    void* target;
  };
  void assign(const std::string& name, const Flag& flag, const std::string& value);
  std::map<std::string, Flag> flags_;
  std::set<std::string> set_;
};

}  // namespace fake_tf
