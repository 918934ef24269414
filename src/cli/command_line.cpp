#include "command_line.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "completion.h"
#include "config_file.h"
#include "declared_options.h"
#include "option_groups.h"
#include "value_kind.h"
#include "xdeploy/core/exit_code.h"

#ifndef XD_BUILD_ID
#define XD_BUILD_ID "dev"
#endif

namespace xd {
namespace {

constexpr const char* kExamples = R"(
Examples:
  xdeploy blue                 first deploy: blue becomes prod
  xdeploy teal                 create the inactive twin (green)
  xdeploy ~green               replace the inactive green with the current build
  xdeploy promote green        health gate green, then move the static IP to it
  xdeploy rollback             promote the inactive slot back
  xdeploy cleanup --yes        destroy the inactive slot (CI-safe: no-op if none)
  xdeploy status --check       slots, IPs and live health
  xdeploy plan promote green   show the steps and Terraform commands, change nothing
  xdeploy --backend local blue try it all on this machine, no AWS

Exit codes:
  0 done or nothing to do      1 failed (Terraform or other)   2 usage
  3 health gate failed         4 refused (precondition or plan outside the allowed set)
  5 locked (another xdeploy)   6 move did not take; rolled back   130 interrupted
  124 --timeout passed (Terraform was interrupted; state saved)
)";

const std::vector<std::string> kVerbs{"blue",    "green",   "teal",     "~blue",   "~green",
                                      "replace", "promote", "rollback", "cleanup", "status",
                                      "history", "plan",    "down"};

std::string exe_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

// CLI11's TOML reader accepts anything (typos, stray words); this one first
// checks the whole file strictly, then lets CLI11 apply it.
class StrictTomlConfig : public CLI::ConfigTOML {
 public:
  explicit StrictTomlConfig(std::vector<std::string> keys) : keys_(std::move(keys)) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    const std::string text{std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>()};
    if (auto problem = check_config_text(text, keys_); !problem.empty())
      throw CLI::ConfigError(problem);
    std::istringstream again(text);
    return CLI::ConfigTOML::from_config(again);
  }

 private:
  std::vector<std::string> keys_;
};

// Every long option name: the keys xdeploy.toml may set.
std::vector<std::string> config_keys(const CLI::App& app) {
  std::vector<std::string> keys;
  for (const auto* option : app.get_options())
    for (const auto& name : option->get_lnames())
      if (name != "help" && name != "version" && name != "config") keys.push_back(name);
  return keys;
}

struct VerbArgs {
  std::string plan_verb;
  std::string color;
  bool status_check = false;
  bool status_refresh = false;
  int history_limit = 20;
  std::string shell;
  std::string init_dir = ".";
  std::string init_backend;
  std::string init_bucket;
  std::string init_key = "falcon-xecutor/terraform.tfstate";
  std::string init_region;
  std::string init_endpoint;
};

// "teal", "~green", "promote" + "green": the words of a verb -> Request.
std::optional<Request> request_from_words(const std::string& verb, const std::string& color_word,
                                          std::string& error) {
  Request r;
  auto need_color = [&](Verb v) -> std::optional<Request> {
    r.verb = v;
    if (color_word.empty()) {
      error = fmt::format("`{}` needs a color: blue or green", verb);
      return std::nullopt;
    }
    r.color = parse_color(color_word);
    if (!r.color) {
      error = fmt::format("unknown color \"{}\" (expected blue or green)", color_word);
      return std::nullopt;
    }
    return r;
  };
  auto no_color = [&](Verb v) -> std::optional<Request> {
    if (!color_word.empty()) {
      error = fmt::format("`{}` takes no color (got \"{}\")", verb, color_word);
      return std::nullopt;
    }
    r.verb = v;
    return r;
  };
  if (verb == "blue" || verb == "green" || verb == "~blue" || verb == "~green") {
    const bool tilde = verb[0] == '~';
    auto q = no_color(tilde ? Verb::Replace : Verb::Deploy);
    if (q) q->color = parse_color(tilde ? verb.substr(1) : verb);
    return q;
  }
  if (verb == "teal") return no_color(Verb::Teal);
  if (verb == "rollback") return no_color(Verb::Rollback);
  if (verb == "cleanup") return no_color(Verb::Cleanup);
  if (verb == "replace") return need_color(Verb::Replace);
  if (verb == "promote") return need_color(Verb::Promote);
  error = fmt::format(
      "unknown verb \"{}\" (expected blue, green, teal, ~blue, ~green, replace, promote, "
      "rollback, cleanup)",
      verb);
  return std::nullopt;
}

// The verbs, each a CLI11 subcommand, with their own arguments.
void declare_verbs(CLI::App& app, VerbArgs& v, std::map<CLI::App*, std::string>& verb_of) {
  auto add = [&](const std::string& name, const std::string& help) {
    auto* sub = app.add_subcommand(name, help);
    verb_of[sub] = name;
    return sub;
  };
  add("blue", "first deploy of blue, or make the active blue the only slot");
  add("green", "first deploy of green, or make the active green the only slot");
  add("teal", "create the inactive twin of the active slot");
  add("~blue", "replace the inactive blue with the current build (alias: replace blue)");
  add("~green", "replace the inactive green with the current build (alias: replace green)");
  add("replace", "replace COLOR's instance (the active one only with --force)")
      ->add_option("color", v.color, "blue or green");
  add("promote", "health gate COLOR, then move the static IP to it")
      ->add_option("color", v.color, "blue or green");
  add("rollback", "promote the inactive slot back");
  add("cleanup", "destroy the inactive slot (nothing to clean: exit 0)");
  auto* status = add("status", "active/inactive slots, instance names, IPs, static IP");
  status->add_flag("--check", v.status_check,
                   "also probe each slot's health (exit 3 if unhealthy)");
  status->add_flag("--refresh", v.status_refresh,
                   "also ask AWS what changed outside Terraform (a refresh-only plan, shown, "
                   "never applied)");
  add("history", "past operations from .xdeploy/history.jsonl")
      ->add_option("--limit", v.history_limit, "how many (0 = all)")
      ->capture_default_str();
  auto* plan = add("plan", "show the transition and exact commands for VERB; change nothing");
  plan->add_option("verb", v.plan_verb, "the verb to plan")->required();
  plan->add_option("color", v.color, "its color, if it takes one");
  add("down", "local backend: stop the router and every slot");
  add("completion", "print the shell completion script for bash, zsh or fish")
      ->add_option("shell", v.shell, "bash, zsh or fish")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}))
      ->required();
  auto* init = add("init",
                   "write a commented xdeploy.toml and a copy of the Terraform module (--force "
                   "overwrites); with --backend s3: put the state in S3 for a team and CI");
  mark_value_kind(*init->add_option("dir", v.init_dir, "where (default: the current directory)"),
                  ValueKind::Directory);
  init->add_option("--backend", v.init_backend,
                   "s3: write -C's backend.tf for a state in S3, create its bucket if missing "
                   "(versioned, encrypted, private) and move a local state there")
      ->check(CLI::IsMember({"s3"}));
  init->add_option("--bucket", v.init_bucket, "with --backend s3: the state bucket");
  init->add_option("--key", v.init_key, "with --backend s3: the state's key")
      ->capture_default_str();
  init->add_option("--region", v.init_region,
                   "with --backend s3: the bucket's region (default: AWS_REGION)");
  init->add_option(
      "--endpoint", v.init_endpoint,
      "with --backend s3: an S3-compatible store (MinIO...): path-style, no AWS account checks");
  add("unlock", "a state in S3: show who holds the deploy lock; --force breaks a dead run's lock");
}

// The whole command line, declared once: parsed by parse_command_line, read
// by the completion generator.
struct Definition {
  CLI::App app{
      "xdeploy: blue/green deploys of one web service on AWS Lightsail, driven by Terraform.",
      "xdeploy"};
  AppOptions options;
  DeclaredOptions declared{app};
  OptionGroups groups;
  VerbArgs v;
  std::map<CLI::App*, std::string> verb_of;

  Definition() {
    app.footer(kExamples);
    app.set_version_flag("--version", std::string("xdeploy ") + XD_BUILD_ID);
    mark_value_kind(*app.set_config("--config", "xdeploy.toml",
                                    "read options from this TOML file (keys = long option names)"),
                    ValueKind::File);
    app.fallthrough();
    app.require_subcommand(1, 1);
    // An option given twice (xdeploy.toml, then the command line) keeps the last.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    groups.declare(declared, options);
    app.config_formatter(std::make_shared<StrictTomlConfig>(config_keys(app)));
    declare_verbs(app, v, verb_of);
  }
};

// Everything after `--` goes to `terraform plan` untouched.
std::pair<std::vector<std::string>, std::vector<std::string>> split_at_dashes(
    int argc, const char* const* argv) {
  std::vector<std::string> args, passthrough;
  bool after_dashes = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (!after_dashes && a == "--") {
      after_dashes = true;
      continue;
    }
    (after_dashes ? passthrough : args).push_back(a);
  }
  return {args, passthrough};
}

// What a CLI11 parse error means to the person who typed the command.
std::string usage_problem(CLI::App& app, const CLI::ParseError& e) {
  if (dynamic_cast<const CLI::ConfigError*>(&e))
    // Our own check's "LINE: problem", prefixed with the file: file:line: problem.
    return fmt::format("{}:{}", app.get_config_ptr()->as<std::string>(), e.what());
  if (!app.get_subcommands().empty()) return e.what();
  // The first word CLI11 could not place is the (unknown) verb.
  for (const auto& a : app.remaining())
    if (!a.empty() && a[0] != '-') {
      std::string error;
      request_from_words(a, "", error);
      return error;
    }
  return "missing verb";
}

}  // namespace

void with_command_line_definition(const std::function<void(CLI::App&)>& use) {
  Definition def;
  use(def.app);
}

CommandLineOutcome parse_command_line(int argc, const char* const* argv) {
  const auto [args, passthrough] = split_at_dashes(argc, argv);
  // --json must shape even a usage error, so it is looked for before CLI11 parses.
  const bool json_wanted = std::find(args.begin(), args.end(), "--json") != args.end();
  auto usage_error = [&](const std::string& message) {
    return CommandLineOutcome{std::nullopt, to_int(ExitCode::Usage), message, json_wanted};
  };

  Definition def;
  CLI::App& app = def.app;
  const VerbArgs& v = def.v;
  // CLI11 wants argv in reverse order for the vector overload.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return {std::nullopt, app.exit(e), "", false};
  } catch (const CLI::CallForAllHelp& e) {
    return {std::nullopt, app.exit(e), "", false};
  } catch (const CLI::CallForVersion& e) {
    return {std::nullopt, app.exit(e), "", false};
  } catch (const CLI::ParseError& e) {
    return usage_error(usage_problem(app, e));
  }

  def.options.terraform.extra_args = passthrough;
  def.options.exe_dir = exe_dir();
  if (auto error = def.groups.finish(def.declared, def.options); !error.empty())
    return usage_error(error);
  ParsedCommand parsed;
  parsed.options = def.options;
  parsed.options.status_check = v.status_check;
  parsed.options.status_refresh = v.status_refresh;
  parsed.options.history_limit = v.history_limit;
  const std::string verb = def.verb_of.at(app.get_subcommands().front());
  if (verb == "completion") {
    fmt::print("{}", completion_script(app, v.shell).value_or(""));
    return CommandLineOutcome{std::nullopt, 0, "", false};
  }
  if (verb == "init") {
    parsed.command = Command::Init;
    parsed.init_dir = v.init_dir;
    parsed.init_state_backend = v.init_backend;
    parsed.init_bucket = v.init_bucket;
    parsed.init_key = v.init_key;
    parsed.init_region = v.init_region;
    parsed.init_endpoint = v.init_endpoint;
    if (v.init_backend == "s3" && v.init_bucket.empty())
      return usage_error("init --backend s3 needs --bucket NAME (the state bucket)");
    if (v.init_backend.empty() && !v.init_bucket.empty())
      return usage_error("--bucket goes with --backend s3");
  }
  if (verb == "unlock") parsed.command = Command::Unlock;
  if (verb == "status")
    parsed.command = Command::Status;
  else if (verb == "history")
    parsed.command = Command::History;
  else if (verb == "down")
    parsed.command = Command::Down;
  if (parsed.command != Command::Verb) return {parsed, 0, "", false};

  std::string error;
  const bool is_plan = verb == "plan";
  auto request = request_from_words(is_plan ? v.plan_verb : verb, v.color, error);
  if (!request) return usage_error(error);
  request->force = parsed.options.force;
  parsed.request = *request;
  if (is_plan) parsed.options.dry_run = true;
  return {parsed, 0, "", false};
}

}  // namespace xd
