#pragma once
// Shell completion for bash, zsh and fish, generated from the CLI11
// definition itself (`xdeploy completion bash|zsh|fish`), so a new verb or
// option can never be missing from it. First the definition is read into a
// shell-neutral model, then each shell's script is rendered from the model.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "value_kind.h"  // what the shell should offer as an option's value

namespace CLI {
class App;
}

namespace xd {

struct CompletionOption {
  std::vector<std::string> names;  // "-C", "--chdir"
  ValueKind value = ValueKind::None;
  std::vector<std::string> choices;  // ValueKind::Choice
  std::string help;
};

struct CompletionPositional {
  std::string name;  // "color", "verb", "shell", "dir"
  ValueKind value = ValueKind::Other;
  std::vector<std::string> choices;
};

struct CompletionVerb {
  std::string name;  // "promote", "~green"
  std::string help;
  std::vector<CompletionOption> options;  // the verb's own (status --check)
  std::vector<CompletionPositional> positionals;
};

struct CompletionModel {
  std::vector<CompletionOption> options;  // global: valid before or after the verb
  std::vector<CompletionVerb> verbs;
};

CompletionModel completion_model(CLI::App& app);

std::string bash_completion(const CompletionModel& model);
std::string zsh_completion(const CompletionModel& model);
std::string fish_completion(const CompletionModel& model);

// nullopt for an unknown shell.
std::optional<std::string> completion_script(CLI::App& app, std::string_view shell);

}  // namespace xd
