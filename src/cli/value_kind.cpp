#include "value_kind.h"

#include <CLI/CLI.hpp>

#include <string>

namespace xd {
namespace {

constexpr const char* kPrefix = "xdeploy-value-kind:";

}  // namespace

void mark_value_kind(CLI::Option& option, ValueKind kind) {
  // An empty description keeps --help as it was; the name carries the kind.
  option.check(CLI::Validator([](std::string&) { return std::string(); }, "",
                              kPrefix + std::to_string(static_cast<int>(kind))));
}

std::optional<ValueKind> marked_value_kind(CLI::Option& option) {
  const std::string prefix = kPrefix;
  for (int i = 0;; ++i) {
    CLI::Validator* validator = nullptr;
    try {
      validator = option.get_validator(i);
    } catch (const CLI::OptionNotFound&) {
      return std::nullopt;
    }
    const std::string& name = validator->get_name();
    if (name.rfind(prefix, 0) == 0)
      return static_cast<ValueKind>(std::stoi(name.substr(prefix.size())));
  }
}

}  // namespace xd
