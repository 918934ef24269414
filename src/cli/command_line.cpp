#include "cli/command_line.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

#include "app/backend_factory.h"
#include "cli/completion.h"
#include "cli/config_file.h"
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

// Periods and timeouts of HTTP requests have a floor: 0 means a busy loop of
// requests (`--health-interval 0` sent 2,594 in 2 s) or a timeout no request
// can meet. The prober's floor is lower: its period is the resolution of the
// downtime it measures across a switch, and 10 ms is 100 requests a second.
const std::map<std::string, Millis> kMinimumDurations{
    {"--health-request-timeout", Millis{50}}, {"--health-interval", Millis{50}},
    {"--health-timeout", Millis{50}},         {"--probe-interval", Millis{10}},
    {"--probe-timeout", Millis{50}},          {"--probe-deadline", Millis{50}},
    {"--move-deadline", Millis{1000}}};

// Durations are typed as text ("500ms", "2s", "5m") and checked here, so a
// bad value is a usage error naming the option.
struct DurationOption {
  std::string text;
  Millis* target = nullptr;
};

CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        return parse_duration(value)
                   ? ""
                   : fmt::format("\"{}\" is not a duration (e.g. 500ms, 2s, 5m)", value);
      },
      "DURATION");
}

// A DNS name as a certificate names it: it ends up in a URL and a libcurl
// connect-to entry, so ':' '/' or spaces must never get through.
CLI::Validator host_name_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        static const std::regex kName(
            R"(^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$)");
        return std::regex_match(value, kName)
                   ? ""
                   : fmt::format("\"{}\" is not a host name (e.g. alerts.example.com)", value);
      },
      "NAME");
}

std::string exe_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

struct Declared {
  AppOptions o;
  std::map<std::string, DurationOption> durations;
  std::string backend = "terraform";
  std::string color = "auto";
  std::string slot_ports = "8081,8082";
  std::string lock_wait = "0";
  std::string timeout = "none";
  std::vector<std::string> var_files;
  int verbose = 0;
  bool quiet = false;
  bool no_probe = false;
  bool no_auto_rollback = false;
  bool tls = false;
  std::string tls_cert;
  std::string tls_key;
};

void add_duration(CLI::App& app, Declared& d, const std::string& name, Millis* target,
                  const std::string& help) {
  d.durations[name] = {duration_literal(*target), target};  // must parse back
  app.add_option(name, d.durations[name].text, help)
      ->check(duration_validator())
      ->capture_default_str();
}

void declare_global_options(CLI::App& app, Declared& d) {
  auto& o = d.o;
  // An option given twice (xdeploy.toml, then the command line) keeps the last.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--backend", d.backend, "terraform (Lightsail) or local (this machine)")
      ->check(CLI::IsMember({"terraform", "local"}))
      ->capture_default_str();
  app.add_option("--terraform", o.terraform.binary, "Terraform or OpenTofu binary")
      ->envname("XDEPLOY_TERRAFORM")
      ->capture_default_str();
  app.add_option("-C,--chdir", o.chdir,
                 "working dir: the Terraform root module; .xdeploy/ lives here")
      ->capture_default_str();
  app.add_option("--var-file", d.var_files, "passed to terraform plan (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  add_duration(app, d, "--tf-lock-timeout", &o.terraform.lock_timeout,
               "Terraform's own -lock-timeout");
  add_duration(app, d, "--move-deadline", &o.terraform.move_deadline,
               "how long the apply that moves the static IP may take (prod is dark meanwhile): "
               "then Terraform gets one SIGINT and the IP goes back to the previous slot, exit 6");
  app.add_flag("--json", o.json, "print the result as one JSON object on stdout");
  app.add_flag("-y,--yes", o.yes, "do not ask before destructive steps");
  app.add_flag("--dry-run", o.dry_run,
               "show the steps and commands, run the first plan read-only, change nothing");
  app.add_flag("--force", o.force, "allow replacing the ACTIVE slot (downtime)");
  app.add_flag("-v,--verbose", d.verbose, "more detail (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("-q,--quiet", d.quiet, "only errors and results");
  app.add_option("--color", d.color, "auto, always or never (NO_COLOR is honoured)")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_option("--health-status", o.health.status, "expected HTTP status")->capture_default_str();
  app.add_option("--health-body", o.health.body_contains, "substring the health body must contain");
  add_duration(app, d, "--health-request-timeout", &o.health.request_timeout, "per health request");
  add_duration(app, d, "--health-interval", &o.health.interval, "between health attempts");
  add_duration(app, d, "--health-timeout", &o.health.timeout, "overall health gate deadline");
  app.add_flag("--health-insecure", o.health.insecure, "accept self-signed certificates");
  app.add_option("--health-ca-file", o.health.ca_file,
                 "PEM CA to verify HTTPS health answers against (gate, prober, status)")
      ->check(CLI::ExistingFile);
  app.add_option("--health-server-name", o.health.server_name,
                 "verify HTTPS health certificates as issued for this name, still connecting to "
                 "each slot's own address")
      ->check(host_name_validator());
  app.add_option("--lock-wait", d.lock_wait, "wait this long for another xdeploy (seconds or 10m)")
      ->check(duration_validator())
      ->capture_default_str();
  app.add_option("--timeout", d.timeout,
                 "overall deadline (e.g. 30m): then Terraform gets one SIGINT, exit 124")
      ->capture_default_str();
  add_duration(app, d, "--timeout-grace", &o.timeout_grace,
               "after --timeout, wait this long before a second SIGINT (never SIGKILL)");
  add_duration(app, d, "--probe-interval", &o.probe.period, "downtime prober: time between probes");
  add_duration(app, d, "--probe-timeout", &o.probe.timeout, "downtime prober: per probe");
  add_duration(app, d, "--probe-deadline", &o.probe.deadline,
               "downtime prober: give up (then roll back) after");
  app.add_option("--probe-successes", o.probe.successes,
                 "answers in a row from the new color that end probing")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_flag("--no-probe", d.no_probe, "do not measure downtime (and never auto-roll back)");
  app.add_flag("--no-auto-rollback", d.no_auto_rollback,
               "leave a promote that never serves as it is");
  app.add_option("--app-command", o.local.app_command,
                 "local backend: slot command with {color} and {port}");
  app.add_option("--slot-ports", d.slot_ports, "local backend: BLUE,GREEN ports")
      ->capture_default_str();
  app.add_option("--public-port", o.local.public_port, "local backend: the router's port")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  app.add_option("--bind", o.local.bind, "local backend: router address")->capture_default_str();
  add_duration(app, d, "--swap-gap", &o.local.swap_gap,
               "local backend: refuse connections this long on a switch");
  app.add_flag(
      "--tls", d.tls,
      "local backend: each slot behind the slots' nginx TLS front (needs --tls-cert/--tls-key)");
  app.add_option("--tls-cert", d.tls_cert, "local backend --tls: PEM certificate nginx serves")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", d.tls_key, "local backend --tls: its PEM private key")
      ->check(CLI::ExistingFile);
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

// Hooks (app/hooks.h): scripts run around an operation.
void declare_hook_options(CLI::App& app, Declared& d) {
  auto& o = d.o;
  app.add_option("--hooks-dir", o.hooks.dir,
                 "hooks: where pre-deploy, post-promote ... live (default: CHDIR/.xdeploy/hooks)");
  add_duration(app, d, "--hook-timeout", &o.hooks.timeout,
               "hooks: stop a hook (SIGTERM, then SIGKILL) after this long");
  app.add_flag_callback(
      "--no-hooks", [&o] { o.hooks.enabled = false; }, "do not run any hook");
}

std::optional<std::pair<int, int>> parse_ports(const std::string& text) {
  int blue = 0, green = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d,%d%c", &blue, &green, &extra) != 2) return std::nullopt;
  if (blue < 1 || blue > 65535 || green < 1 || green > 65535 || blue == green) return std::nullopt;
  return std::make_pair(blue, green);
}

// Turns the parsed strings into typed options; returns an error or "".
std::string finish_options(Declared& d, const std::vector<std::string>& passthrough) {
  auto& o = d.o;
  for (auto& [name, opt] : d.durations) {
    const auto value = parse_duration(opt.text);
    if (!value)
      return fmt::format("{}: \"{}\" is not a duration (e.g. 500ms, 2s, 5m)", name, opt.text);
    if (const auto floor = kMinimumDurations.find(name);
        floor != kMinimumDurations.end() && *value < floor->second)
      return fmt::format("{} {} is below the minimum {}", name, opt.text,
                         duration_literal(floor->second));
    *opt.target = *value;
  }
  const auto lock_wait = parse_duration(d.lock_wait);
  if (!lock_wait) return fmt::format("--lock-wait: \"{}\" is not a duration", d.lock_wait);
  o.lock_wait = *lock_wait;
  if (d.timeout != "none") {
    const auto timeout = parse_duration(d.timeout);
    if (!timeout || timeout->count() <= 0)
      return fmt::format("--timeout: \"{}\" is not a positive duration (e.g. 30m) or none",
                         d.timeout);
    o.timeout = *timeout;
  }
  o.backend = d.backend == "local" ? BackendKind::Local : BackendKind::Terraform;
  o.color = d.color == "always"  ? ColorMode::Always
            : d.color == "never" ? ColorMode::Never
                                 : ColorMode::Auto;
  o.verbosity = d.quiet ? -1 : d.verbose;
  o.probe.enabled = !d.no_probe;
  o.probe.auto_rollback = !d.no_auto_rollback;
  auto ports = parse_ports(d.slot_ports);
  if (!ports)
    return fmt::format("--slot-ports \"{}\" must be two different ports, BLUE,GREEN", d.slot_ports);
  o.local.blue_port = ports->first;
  o.local.green_port = ports->second;
  if (o.local.public_port == o.local.blue_port || o.local.public_port == o.local.green_port)
    return "--public-port must differ from the slot ports";
  if (o.health.status < 100 || o.health.status > 599)
    return "--health-status must be an HTTP status (100-599)";
  o.terraform.var_files = d.var_files;
  o.terraform.extra_args = passthrough;
  o.exe_dir = exe_dir();
  if (d.tls) {
    if (o.backend != BackendKind::Local) return "--tls is for the local backend (--backend local)";
    if (d.tls_cert.empty() || d.tls_key.empty()) return "--tls needs --tls-cert and --tls-key";
    o.local.tls = true;
    o.local.tls_cert = d.tls_cert;
    o.local.tls_key = d.tls_key;
  }
  return finish_backend_options(o);
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

// The whole command line, declared once: parsed by parse_command_line, read
// by the completion generator.
struct Definition {
  CLI::App app{
      "xdeploy: blue/green deploys of one web service on AWS Lightsail, driven by Terraform.",
      "xdeploy"};
  Declared d;
  VerbArgs v;
  std::map<CLI::App*, std::string> verb_of;

  Definition() {
    app.footer(kExamples);
    app.set_version_flag("--version", std::string("xdeploy ") + XD_BUILD_ID);
    app.set_config("--config", "xdeploy.toml",
                   "read options from this TOML file (keys = long option names)");
    app.fallthrough();
    app.require_subcommand(1, 1);
    declare_global_options(app, d);
    declare_hook_options(app, d);
    app.config_formatter(std::make_shared<StrictTomlConfig>(config_keys(app)));

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
    add("status", "active/inactive slots, instance names, IPs, static IP")
        ->add_flag("--check", v.status_check,
                   "also probe each slot's health (exit 3 if unhealthy)");
    app.get_subcommand("status")->add_flag(
        "--refresh", v.status_refresh,
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
    init->add_option("dir", v.init_dir, "where (default: the current directory)");
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
    add("unlock",
        "a state in S3: show who holds the deploy lock; --force breaks a dead run's lock");
  }
};

}  // namespace

void with_command_line_definition(const std::function<void(CLI::App&)>& use) {
  Definition def;
  use(def.app);
}

CommandLineOutcome parse_command_line(int argc, const char* const* argv) {
  // Everything after `--` goes to `terraform plan` untouched.
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

  // --json must shape even a usage error, so it is looked for before CLI11 parses.
  const bool json_wanted = std::find(args.begin(), args.end(), "--json") != args.end();
  auto usage_error = [&](const std::string& message) {
    return CommandLineOutcome{std::nullopt, to_int(ExitCode::Usage), message, json_wanted};
  };

  Definition def;
  CLI::App& app = def.app;
  Declared& d = def.d;
  VerbArgs& v = def.v;
  const auto& verb_of = def.verb_of;

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
  } catch (const CLI::ConfigError& e) {
    // Our own check's "LINE: problem", prefixed with the file: file:line: problem.
    return usage_error(fmt::format("{}:{}", app.get_config_ptr()->as<std::string>(), e.what()));
  } catch (const CLI::ParseError& e) {
    if (app.get_subcommands().empty()) {
      // The first word CLI11 could not place is the (unknown) verb.
      for (const auto& a : app.remaining())
        if (!a.empty() && a[0] != '-') {
          std::string error;
          request_from_words(a, "", error);
          return usage_error(error);
        }
    }
    if (app.get_subcommands().empty()) return usage_error("missing verb");
    return usage_error(e.what());
  }

  if (auto error = finish_options(d, passthrough); !error.empty()) return usage_error(error);
  ParsedCommand parsed;
  parsed.options = d.o;
  parsed.options.status_check = v.status_check;
  parsed.options.status_refresh = v.status_refresh;
  parsed.options.history_limit = v.history_limit;
  const std::string verb = verb_of.at(app.get_subcommands().front());
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
