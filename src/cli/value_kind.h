#pragma once
// What kind of value an option takes, as shell completion needs it. CLI11
// only knows "TEXT", so the kind is declared with the option
// (declared_options.h) and travels on the option itself: completion reads it
// back from there, with no list of option names to keep in step.
#include <optional>

namespace CLI {
class Option;
}

namespace xd {

enum class ValueKind { None, Choice, File, Directory, Command, Other };

// Marks `option` as taking values of `kind`: a check that accepts every value
// and adds nothing to --help.
void mark_value_kind(CLI::Option& option, ValueKind kind);

// The kind `option` was marked with, if any.
std::optional<ValueKind> marked_value_kind(CLI::Option& option);

}  // namespace xd
