#include "completion.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <map>

namespace xd {
namespace {

// CLI::IsMember describes itself as "{a,b,c}": the choices.
std::vector<std::string> choices_of(CLI::Option& opt) {
  for (int i = 0;; ++i) {
    CLI::Validator* validator = nullptr;
    try {
      validator = opt.get_validator(i);
    } catch (const CLI::OptionNotFound&) {
      return {};
    }
    const std::string desc = validator->get_description();
    if (desc.size() < 2 || desc.front() != '{' || desc.back() != '}') continue;
    std::vector<std::string> result;
    std::string item;
    for (char c : desc.substr(1, desc.size() - 2)) {
      if (c == ',') {
        result.push_back(item);
        item.clear();
      } else {
        item += c;
      }
    }
    result.push_back(item);
    return result;
  }
}

CompletionOption option_of(CLI::Option& opt) {
  CompletionOption o;
  for (const auto& s : opt.get_snames()) o.names.push_back("-" + s);
  for (const auto& l : opt.get_lnames()) o.names.push_back("--" + l);
  o.help = opt.get_description();
  if (opt.get_items_expected_max() == 0) return o;  // a flag: no value
  o.choices = choices_of(opt);
  // The kind declared with the option (declared_options.h), else what its checks say.
  o.value =
      marked_value_kind(opt).value_or(o.choices.empty() ? ValueKind::Other : ValueKind::Choice);
  return o;
}

CompletionPositional positional_of(CLI::Option& opt, const std::vector<std::string>& verbs) {
  CompletionPositional p;
  p.name = opt.get_name();
  p.choices = choices_of(opt);
  if (p.name == "color") p.choices = {"blue", "green"};
  if (p.name == "verb") p.choices = verbs;
  p.value =
      marked_value_kind(opt).value_or(p.choices.empty() ? ValueKind::Other : ValueKind::Choice);
  return p;
}

std::vector<CompletionOption> options_of(CLI::App& app) {
  std::vector<CompletionOption> result;
  for (CLI::Option* opt : app.get_options())
    if (opt->nonpositional()) result.push_back(option_of(*opt));
  return result;
}

// The verbs `plan` accepts: the ones that change something.
std::vector<std::string> plannable_verbs(const CompletionModel& model) {
  std::vector<std::string> result;
  for (const auto& v : model.verbs)
    if (v.name != "plan" && v.name != "status" && v.name != "history" && v.name != "down" &&
        v.name != "completion" && v.name != "init")
      result.push_back(v.name);
  return result;
}

std::string join(const std::vector<std::string>& words, std::string_view sep = " ") {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

// A word list for compgen -W / fish -a / zsh (...): a leading ~ escaped so
// no shell tilde-expands "~green" into a home directory.
std::string word_list(const std::vector<std::string>& words) {
  std::vector<std::string> escaped;
  escaped.reserve(words.size());
  for (const auto& w : words) escaped.push_back(!w.empty() && w[0] == '~' ? "\\" + w : w);
  return join(escaped);
}

// Text inside a single-quoted shell string.
std::string single_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> all_names(const std::vector<CompletionOption>& options,
                                   bool with_value_only = false) {
  std::vector<std::string> names;
  for (const auto& o : options)
    if (!with_value_only || o.value != ValueKind::None)
      names.insert(names.end(), o.names.begin(), o.names.end());
  return names;
}

std::string bash_value_action(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
    case ValueKind::Choice:
      return fmt::format("COMPREPLY=($(compgen -W {} -- \"$cur\"))",
                         single_quoted(word_list(choices)));
    case ValueKind::File:
      return "COMPREPLY=($(compgen -f -- \"$cur\"))";
    case ValueKind::Directory:
      return "COMPREPLY=($(compgen -d -- \"$cur\"))";
    case ValueKind::Command:
      return "COMPREPLY=($(compgen -c -- \"$cur\"))";
    default:
      return ":";  // free text (a duration, a port): nothing sensible to offer
  }
}

}  // namespace

CompletionModel completion_model(CLI::App& app) {
  CompletionModel model;
  model.options = options_of(app);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    CompletionVerb v;
    v.name = sub->get_name();
    v.help = sub->get_description();
    for (CLI::Option* opt : sub->get_options())
      if (opt->nonpositional() && opt != sub->get_help_ptr()) v.options.push_back(option_of(*opt));
    model.verbs.push_back(v);
  }
  const auto plannable = plannable_verbs(model);
  std::size_t i = 0;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    for (CLI::Option* opt : sub->get_options())
      if (opt->get_positional())
        model.verbs[i].positionals.push_back(positional_of(*opt, plannable));
    ++i;
  }
  return model;
}

std::string bash_completion(const CompletionModel& model) {
  std::vector<std::string> verb_names;
  for (const auto& v : model.verbs) verb_names.push_back(v.name);
  std::vector<CompletionOption> every_option = model.options;
  for (const auto& v : model.verbs)
    every_option.insert(every_option.end(), v.options.begin(), v.options.end());

  std::string values;  // case "$prev" in ...: the value of an option
  for (const auto& o : every_option)
    if (o.value != ValueKind::None)
      values += fmt::format("    {}) {}; return 0 ;;\n", join(o.names, "|"),
                            bash_value_action(o.value, o.choices));
  std::string verb_options;
  for (const auto& v : model.verbs)
    if (!v.options.empty())
      verb_options += fmt::format("    {}) verb_options={} ;;\n", v.name,
                                  single_quoted(join(all_names(v.options))));
  std::string positionals;
  for (const auto& v : model.verbs)
    for (std::size_t i = 0; i < v.positionals.size(); ++i)
      positionals +=
          fmt::format("    {}:{}) {} ;;\n", v.name, i,
                      bash_value_action(v.positionals[i].value, v.positionals[i].choices));
  const std::string takes_value = join(all_names(every_option, true), "|");

  return fmt::format(
      R"(# bash completion for xdeploy                              -*- shell-script -*-
# Generated by `xdeploy completion bash` from xdeploy's own command-line
# definition. Install: /usr/share/bash-completion/completions/xdeploy, or
#   source <(xdeploy completion bash)
_xdeploy() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" prev=""
  ((COMP_CWORD > 0)) && prev="${{COMP_WORDS[COMP_CWORD - 1]}}"
  # `--color=a`: bash splits at the "=" (COMP_WORDBREAKS): the option is before it.
  [[ $prev == "=" ]] && ((COMP_CWORD > 1)) && prev="${{COMP_WORDS[COMP_CWORD - 2]}}"
  COMPREPLY=()
  case "$prev" in
{values}  esac
  # The verb, and how many positionals follow it, skipping options and their values.
  local verb="" npos=0 skip=0 i word
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${{COMP_WORDS[i]}}"
    if [[ $word == "=" ]]; then skip=1; continue; fi  # --option=value: skip the value
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --) return 0 ;;  # the rest goes to `terraform plan` untouched
      {takes_value}) skip=1 ;;
      -*) ;;
      *) if [[ -z $verb ]]; then verb="$word"; else npos=$((npos + 1)); fi ;;
    esac
  done
  if [[ $cur == -* ]]; then
    local verb_options=""
    case "$verb" in
{verb_options}    esac
    COMPREPLY=($(compgen -W {options}" $verb_options" -- "$cur"))
    return 0
  fi
  if [[ -z $verb ]]; then
    COMPREPLY=($(compgen -W {verbs} -- "$cur"))
    return 0
  fi
  case "$verb:$npos" in
{positionals}  esac
  return 0
}}
complete -F _xdeploy xdeploy
)",
      fmt::arg("values", values), fmt::arg("takes_value", takes_value),
      fmt::arg("verb_options", verb_options),
      fmt::arg("options", single_quoted(join(all_names(model.options)))),
      fmt::arg("verbs", single_quoted(word_list(verb_names))),
      fmt::arg("positionals", positionals));
}

namespace {

// Help text inside a zsh _arguments [...] or _describe "name:help" item.
std::string zsh_help(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '[')
      out += '(';
    else if (c == ']')
      out += ')';
    else if (c == ':')
      out += "\\:";
    else if (c == '\'')
      out += "'\\''";
    else if (c == '\\')
      out += "\\\\";
    else
      out += c;
  }
  return out;
}

std::string zsh_action(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
    case ValueKind::Choice:
      return fmt::format("({})", word_list(choices));
    case ValueKind::File:
      return "_files";
    case ValueKind::Directory:
      return "_directories";
    case ValueKind::Command:
      return "_command_names -e";
    default:
      return " ";
  }
}

std::string zsh_option_specs(const std::vector<CompletionOption>& options) {
  std::string out;
  for (const auto& o : options)
    for (const auto& name : o.names) {
      // -v/--verbose may be repeated.
      const std::string repeat =
          name == "-v" || name == "--verbose" || name == "--var-file" ? "*" : "";
      std::string spec = fmt::format("{}{}[{}]", repeat, name, zsh_help(o.help));
      if (o.value != ValueKind::None)
        spec += fmt::format(":{}:{}", name.substr(name.find_first_not_of('-')),
                            zsh_action(o.value, o.choices));
      out += fmt::format("    '{}'\n", spec);
    }
  return out;
}

}  // namespace

std::string zsh_completion(const CompletionModel& model) {
  std::string verbs;
  for (const auto& v : model.verbs)
    verbs += fmt::format("    '{}:{}'\n", zsh_help(v.name), zsh_help(v.help));
  std::string per_verb;
  for (const auto& v : model.verbs) {
    if (v.options.empty() && v.positionals.empty()) continue;
    std::string args = "$global_opts";
    for (const auto& o : v.options)
      for (const auto& name : o.names) args += fmt::format(" '{}[{}]'", name, zsh_help(o.help));
    for (std::size_t i = 0; i < v.positionals.size(); ++i)
      args += fmt::format(" '{}:{}:{}'", i + 1, v.positionals[i].name,
                          zsh_action(v.positionals[i].value, v.positionals[i].choices));
    per_verb += fmt::format("        {}) _arguments {} ;;\n", v.name, args);
  }
  return fmt::format(
      R"(#compdef xdeploy
# zsh completion for xdeploy, generated by `xdeploy completion zsh` from
# xdeploy's own command-line definition. Install as _xdeploy in $fpath
# (/usr/share/zsh/vendor-completions/_xdeploy).
_xdeploy() {{
  local curcontext="$curcontext" state line
  local -a global_opts verbs
  global_opts=(
{options}  )
  verbs=(
{verbs}  )
  _arguments -C $global_opts '1: :->verb' '*:: :->args' && return 0
  case $state in
    verb) _describe -t verbs 'xdeploy verb' verbs ;;
    args)
      case $words[1] in
{per_verb}        *) _arguments $global_opts ;;
      esac ;;
  esac
}}
_xdeploy "$@"
)",
      fmt::arg("options", zsh_option_specs(model.options)), fmt::arg("verbs", verbs),
      fmt::arg("per_verb", per_verb));
}

namespace {

std::string fish_option(const CompletionOption& o, const std::string& condition) {
  std::string line = "complete -c xdeploy";
  if (!condition.empty()) line += fmt::format(" -n {}", single_quoted(condition));
  for (const auto& name : o.names)
    line += name.rfind("--", 0) == 0 ? fmt::format(" -l {}", name.substr(2))
                                     : fmt::format(" -s {}", name.substr(1));
  switch (o.value) {
    case ValueKind::None:
      break;
    case ValueKind::Choice:
      line += fmt::format(" -x -a {}", single_quoted(word_list(o.choices)));
      break;
    case ValueKind::File:
      line += " -r -F";
      break;
    case ValueKind::Directory:
      line += " -x -a '(__fish_complete_directories)'";
      break;
    case ValueKind::Command:
      line += " -x -a '(__fish_complete_command)'";
      break;
    default:
      line += " -x";
      break;
  }
  return line + fmt::format(" -d {}\n", single_quoted(o.help));
}

}  // namespace

std::string fish_completion(const CompletionModel& model) {
  std::vector<CompletionOption> every_option = model.options;
  for (const auto& v : model.verbs)
    every_option.insert(every_option.end(), v.options.begin(), v.options.end());
  std::string body;
  for (const auto& v : model.verbs)
    body += fmt::format("complete -c xdeploy -n '__xdeploy_words 0' -a {} -d {}\n",
                        single_quoted(word_list({v.name})), single_quoted(v.help));
  for (const auto& v : model.verbs)
    for (std::size_t i = 0; i < v.positionals.size(); ++i) {
      const auto& p = v.positionals[i];
      const std::string condition = fmt::format("__xdeploy_words {} {}", i + 1, v.name);
      if (p.value == ValueKind::Choice)
        body += fmt::format("complete -c xdeploy -n {} -a {}\n", single_quoted(condition),
                            single_quoted(word_list(p.choices)));
      else if (p.value == ValueKind::Directory)
        body += fmt::format("complete -c xdeploy -n {} -a '(__fish_complete_directories)'\n",
                            single_quoted(condition));
    }
  for (const auto& o : model.options) body += fish_option(o, "");
  for (const auto& v : model.verbs)
    for (const auto& o : v.options)
      body += fish_option(o, fmt::format("__fish_seen_subcommand_from {}", v.name));
  return fmt::format(
      R"(# fish completion for xdeploy, generated by `xdeploy completion fish` from
# xdeploy's own command-line definition. Install:
# /usr/share/fish/vendor_completions.d/xdeploy.fish
#
# __xdeploy_words N [VERB...]: true when N words (the verb, then its
# positionals) precede the cursor, skipping options and their values, and the
# verb is one of VERB (any if none given).
function __xdeploy_words
    set -l want $argv[1]
    set -l verbs $argv[2..-1]
    set -l words
    set -l skip 0
    for t in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case --
                return 1
            case {takes_value}
                set skip 1
            case '-*'
            case '*'
                set -a words $t
        end
    end
    test (count $words) -eq $want; or return 1
    test (count $verbs) -eq 0; and return 0
    contains -- $words[1] $verbs
end
complete -c xdeploy -f
{body})",
      fmt::arg("takes_value", join(all_names(every_option, true))), fmt::arg("body", body));
}

std::optional<std::string> completion_script(CLI::App& app, std::string_view shell) {
  const auto model = completion_model(app);
  if (shell == "bash") return bash_completion(model);
  if (shell == "zsh") return zsh_completion(model);
  if (shell == "fish") return fish_completion(model);
  return std::nullopt;
}

}  // namespace xd
