// The command line contract: verbs, colors, options before or after the verb,
// and usage errors (exit 2) for everything else. No backend runs here.
#include "command_line.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <initializer_list>

#include <unistd.h>

#include <vector>
#include "support/scoped_temp_dir.h"

using namespace xd;

namespace {
CommandLineOutcome parse(const std::vector<const char*>& words) {
  std::vector<const char*> argv{"xdeploy"};
  argv.insert(argv.end(), words.begin(), words.end());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

Request request(std::initializer_list<const char*> words) {
  auto r = parse(words);
  REQUIRE(r.parsed);
  return r.parsed->request;
}
}  // namespace

TEST_CASE("the seed's verbs parse to requests") {
  CHECK(request({"blue"}).verb == Verb::Deploy);
  CHECK(request({"blue"}).color == Color::Blue);
  CHECK(request({"teal"}).verb == Verb::Teal);
  CHECK(request({"~green"}).verb == Verb::Replace);
  CHECK(request({"~green"}).color == Color::Green);
  CHECK(request({"replace", "green"}).color == Color::Green);
  CHECK(request({"promote", "green"}).verb == Verb::Promote);
  CHECK(request({"rollback"}).verb == Verb::Rollback);
  CHECK(request({"cleanup"}).verb == Verb::Cleanup);
}

TEST_CASE("defaults are the documented values") {
  auto r = parse({"teal"});
  REQUIRE(r.parsed);
  const auto& o = r.parsed->options;
  CHECK(o.health.timeout == std::chrono::minutes(5));
  CHECK(o.health.interval == std::chrono::seconds(2));
  CHECK(o.health.request_timeout == std::chrono::seconds(5));
  CHECK(o.probe.deadline == std::chrono::minutes(2));
  CHECK(o.probe.period == std::chrono::milliseconds(100));
  CHECK(o.probe.timeout == std::chrono::seconds(1));
  CHECK(o.terraform.lock_timeout == std::chrono::seconds(30));
  CHECK(o.lock_wait == std::chrono::milliseconds(0));
  CHECK(o.local.swap_gap == std::chrono::milliseconds(0));
  CHECK(o.local.public_port == 8080);
  CHECK(o.local.blue_port == 8081);
  CHECK(o.local.green_port == 8082);
  CHECK(o.chdir == "terraform");
  CHECK(o.backend == BackendKind::Terraform);
}

TEST_CASE("global options are accepted before or after the verb") {
  auto before = parse({"--json", "-C", "infra", "--health-timeout", "5m", "promote", "green"});
  REQUIRE(before.parsed);
  CHECK(before.parsed->options.json);
  CHECK(before.parsed->options.chdir == "infra");
  CHECK(before.parsed->options.terraform.chdir == "infra");
  CHECK(before.parsed->options.health.timeout == std::chrono::minutes(5));
  auto after = parse({"promote", "green", "--json", "--chdir", "infra", "--yes"});
  REQUIRE(after.parsed);
  CHECK(after.parsed->options.json);
  CHECK(after.parsed->options.yes);
  CHECK(after.parsed->options.chdir == "infra");
}

TEST_CASE("an option given twice keeps the last; repeatable ones accumulate") {
  auto r = parse({"--probe-deadline", "5s", "teal", "--probe-deadline", "1s", "--var-file",
                  "a.tfvars", "--var-file", "b.tfvars", "-vv"});
  REQUIRE(r.parsed);
  CHECK(r.parsed->options.probe.deadline == std::chrono::seconds(1));
  CHECK(r.parsed->options.terraform.var_files == std::vector<std::string>{"a.tfvars", "b.tfvars"});
  CHECK(r.parsed->options.verbosity == 2);
}

TEST_CASE("xdeploy.toml sets options; the command line overrides it") {
  const auto path =
      std::filesystem::temp_directory_path() / ("xdeploy-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path)
      << "backend = \"local\"\nhealth-timeout = \"90s\"\nchdir = \"infra\"\npublic-port = 9090\n";
  auto r = parse({"--config", path.c_str(), "teal", "--chdir", "other"});
  std::filesystem::remove(path);
  REQUIRE(r.parsed);
  CHECK(r.parsed->options.backend == BackendKind::Local);
  CHECK(r.parsed->options.health.timeout == std::chrono::seconds(90));
  CHECK(r.parsed->options.local.public_port == 9090);
  CHECK(r.parsed->options.chdir == "other");
}

TEST_CASE("a bad value in xdeploy.toml is a usage error too") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("xdeploy-bad-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << "health-timeout = \"forever\"\n";
  auto r = parse({"--config", path.c_str(), "teal"});
  std::filesystem::remove(path);
  CHECK_FALSE(r.parsed);
  CHECK(r.exit_code == 2);
}

TEST_CASE(
    "xdeploy.toml with an unknown key or bad syntax is a usage error naming file, line and key") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("xdeploy-strict-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << "backend = \"local\"\nhelth-timeout = \"5s\"\n";
  auto r = parse({"--config", path.c_str(), "teal"});
  CHECK_FALSE(r.parsed);
  CHECK(r.exit_code == 2);
  CHECK(r.error ==
        fmt::format("{}:2: unknown key \"helth-timeout\" (did you mean \"health-timeout\"?)",
                    path.string()));
  std::ofstream(path) << "backend = local\n";
  auto s = parse({"--config", path.c_str(), "teal"});
  std::filesystem::remove(path);
  CHECK(s.exit_code == 2);
  CHECK_THAT(s.error, Catch::StartsWith(path.string() + ":1:"));
  CHECK_THAT(s.error, Catch::Contains("syntax error"));
}

TEST_CASE("the default ./xdeploy.toml is checked too") {
  xd::testing::ScopedTempDir dir{"xd-cli-toml"};
  const auto before = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  std::ofstream("xdeploy.toml") << "chdri = \"infra\"\n";
  auto r = parse({"teal"});
  std::filesystem::current_path(before);
  CHECK(r.exit_code == 2);
  CHECK(r.error == "xdeploy.toml:1: unknown key \"chdri\" (did you mean \"chdir\"?)");
}

TEST_CASE("a usage error remembers --json so main can answer with a JSON object") {
  auto r = parse({"--json", "purple"});
  CHECK_FALSE(r.parsed);
  CHECK(r.exit_code == 2);
  CHECK(r.json);
  CHECK_THAT(r.error, Catch::Contains("purple"));
  CHECK_FALSE(parse({"purple"}).json);
}

TEST_CASE("intervals and timeouts below their minimum are usage errors") {
  CHECK_THAT(parse({"teal", "--probe-interval", "0"}).error,
             Catch::Contains("--probe-interval 0 is below the minimum 10ms"));
  CHECK(parse({"teal", "--probe-interval", "9ms"}).exit_code == 2);
  CHECK(parse({"teal", "--probe-interval", "10ms"}).parsed);
  for (const char* option : {"--health-interval", "--health-request-timeout", "--health-timeout",
                             "--probe-timeout", "--probe-deadline"}) {
    INFO(option);
    auto zero = parse({"teal", option, "0"});
    CHECK_FALSE(zero.parsed);
    CHECK(zero.exit_code == 2);
    CHECK_THAT(zero.error, Catch::Contains(option));
    CHECK_THAT(zero.error, Catch::Contains("minimum 50ms"));
    CHECK(parse({"teal", option, "49ms"}).exit_code == 2);
    CHECK(parse({"teal", option, "50ms"}).parsed);
  }
  // Zero stays meaningful where it means "do not wait".
  CHECK(parse({"teal", "--lock-wait", "0"}).parsed);
  CHECK(parse({"teal", "--tf-lock-timeout", "0"}).parsed);
  CHECK(parse({"teal", "--swap-gap", "0"}).parsed);
}

TEST_CASE("a local slot must listen within --health-timeout, not a fixed 30 s") {
  auto r = parse({"--backend", "local", "blue", "--health-timeout", "3s"});
  REQUIRE(r.parsed);
  CHECK(r.parsed->options.local.start_timeout == std::chrono::seconds(3));
}

TEST_CASE("plan and --dry-run change nothing") {
  auto p = parse({"plan", "promote", "green"});
  REQUIRE(p.parsed);
  CHECK(p.parsed->options.dry_run);
  CHECK(p.parsed->request.verb == Verb::Promote);
  CHECK(parse({"teal", "--dry-run"}).parsed->options.dry_run);
}

TEST_CASE("read-only verbs and their flags") {
  auto s = parse({"status", "--check"});
  REQUIRE(s.parsed);
  CHECK(s.parsed->command == Command::Status);
  CHECK(s.parsed->options.status_check);
  auto h = parse({"history", "--limit", "3"});
  REQUIRE(h.parsed);
  CHECK(h.parsed->command == Command::History);
  CHECK(h.parsed->options.history_limit == 3);
}

TEST_CASE("arguments after -- pass through to terraform plan") {
  auto r = parse({"teal", "--", "-parallelism=2", "-refresh=false"});
  REQUIRE(r.parsed);
  CHECK(r.parsed->options.terraform.extra_args ==
        std::vector<std::string>{"-parallelism=2", "-refresh=false"});
}

TEST_CASE("every bad input is a usage error (exit 2)") {
  for (auto words : std::vector<std::vector<const char*>>{{"purple"},
                                                          {"~teal"},
                                                          {"promote"},
                                                          {"promote", "purple"},
                                                          {"teal", "green"},
                                                          {},
                                                          {"--no-such-flag", "teal"},
                                                          {"teal", "--health-timeout", "soon"},
                                                          {"teal", "--color", "pink"},
                                                          {"teal", "--slot-ports", "80"},
                                                          {"teal", "--slot-ports", "8081,8081"},
                                                          {"teal", "--backend", "k8s"},
                                                          {"plan"},
                                                          {"plan", "purple"},
                                                          {"replace"},
                                                          {"teal", "--health-status", "42"}}) {
    INFO(fmt::format("{}", fmt::join(words, " ")));
    auto r = parse(words);
    CHECK_FALSE(r.parsed);
    CHECK(r.exit_code == 2);
  }
}

TEST_CASE("an unknown verb is named even after options that take values") {
  // Not "-C"'s value: the word CLI11 could not place.
  auto r = parse({"-C", "infra", "--health-timeout", "5m", "purple"});
  CHECK_FALSE(r.parsed);
  CHECK(r.exit_code == 2);
}

TEST_CASE("--help and --version exit 0") {
  CHECK(parse({"--help"}).exit_code == 0);
  CHECK(parse({"--version"}).exit_code == 0);
  CHECK_FALSE(parse({"--version"}).parsed);
}

TEST_CASE("--health-server-name takes a DNS name and nothing that could bend the request") {
  auto ok = parse({"--health-server-name", "alerts.example.com", "status"});
  REQUIRE(ok.parsed);
  CHECK(ok.parsed->options.health.server_name == "alerts.example.com");
  for (const char* bad :
       {"alerts.example.com:443", "https://alerts.example.com", "a b", "-x.com", "x..com", ""}) {
    INFO(bad);
    auto r = parse({"--health-server-name", bad, "status"});
    CHECK_FALSE(r.parsed);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.error, Catch::Contains("is not a host name"));
  }
}

TEST_CASE("--tls: the local slots run behind the TLS front; bad combinations are usage errors") {
  // Any existing files do for the parser (CLI11 checks they exist).
  const std::string file = "/proc/self/exe";
  const std::string spaced = "/tmp/xd cli test " + std::to_string(::getpid()) + ".pem";
  std::ofstream(spaced) << "x";
  auto ok = parse({"--backend", "local", "--tls", "--tls-cert", file.c_str(), "--tls-key",
                   file.c_str(), "--health-ca-file", file.c_str(), "blue"});
  REQUIRE(ok.parsed);
  const auto& o = ok.parsed->options;
  CHECK(o.local.tls);
  CHECK(o.health.ca_file == file);
  CHECK(o.local.app_command.find(
            "xdeploy-tls-slot {color} {port} /proc/self/exe /proc/self/exe ") != std::string::npos);

  for (auto words : std::vector<std::vector<const char*>>{
           {"--backend", "local", "--tls", "blue"},  // no certificate
           {"--backend", "local", "--tls", "--tls-cert", "/proc/self/exe", "blue"},
           {"--tls", "--tls-cert", "/proc/self/exe", "--tls-key", "/proc/self/exe", "blue"},
           {"--backend", "local", "--tls", "--tls-cert", "/no/such.pem", "--tls-key",
            "/no/such.pem", "blue"},
           {"--health-ca-file", "/no/such-ca.pem", "blue"},
           // The slot command is split on spaces: such a path cannot travel in it.
           {"--backend", "local", "--tls", "--tls-cert", spaced.c_str(), "--tls-key", file.c_str(),
            "blue"}}) {
    INFO(fmt::format("{}", fmt::join(words, " ")));
    auto r = parse(words);
    CHECK_FALSE(r.parsed);
    CHECK(r.exit_code == 2);
  }
  std::filesystem::remove(spaced);
}

TEST_CASE("--timeout: none by default, a positive duration, else a usage error") {
  auto none = parse({"teal"});
  REQUIRE(none.parsed);
  CHECK_FALSE(none.parsed->options.timeout);
  CHECK(none.parsed->options.timeout_grace == std::chrono::seconds(30));
  auto set = parse({"teal", "--timeout", "30m", "--timeout-grace", "5s"});
  REQUIRE(set.parsed);
  CHECK(set.parsed->options.timeout == std::chrono::minutes(30));
  CHECK(set.parsed->options.timeout_grace == std::chrono::seconds(5));
  for (const char* bad : {"0", "0s", "-1s", "soon"}) {
    INFO(bad);
    auto r = parse({"teal", "--timeout", bad});
    CHECK_FALSE(r.parsed);
    CHECK(r.exit_code == 2);
  }
}

TEST_CASE("each option's usage error says exactly what is wrong and how to write it") {
  const std::vector<std::pair<std::vector<const char*>, std::string>> cases{
      {{"teal", "--slot-ports", "80"},
       R"(--slot-ports "80" must be two different ports, BLUE,GREEN)"},
      {{"teal", "--public-port", "8081"}, "--public-port must differ from the slot ports"},
      {{"teal", "--public-port", "0"}, "--public-port: Value 0 not in range 1 to 65535"},
      {{"teal", "--health-status", "42"}, "--health-status must be an HTTP status (100-599)"},
      {{"teal", "--timeout", "0"},
       R"(--timeout: "0" is not a positive duration (e.g. 30m) or none)"},
      {{"teal", "--health-timeout", "soon"},
       R"(--health-timeout: "soon" is not a duration (e.g. 500ms, 2s, 5m))"},
      {{"teal", "--lock-wait", "soon"},
       R"(--lock-wait: "soon" is not a duration (e.g. 500ms, 2s, 5m))"},
      {{"teal", "--health-interval", "10ms"}, "--health-interval 10ms is below the minimum 50ms"},
      // Two options below their floor: the first in name order is named.
      {{"teal", "--probe-interval", "0", "--health-interval", "0"},
       "--health-interval 0 is below the minimum 50ms"},
      {{"teal", "--color", "pink"}, "--color: pink not in {auto,always,never}"},
      {{"teal", "--backend", "k8s"}, "--backend: k8s not in {terraform,local}"},
      {{"teal", "--probe-successes", "0"}, "--probe-successes: Value 0 not in range 1 to 1000"},
      {{"teal", "--health-ca-file", "/no/such"}, "--health-ca-file: File does not exist: /no/such"},
      {{"--tls", "--tls-cert", "/proc/self/exe", "--tls-key", "/proc/self/exe", "blue"},
       "--tls is for the local backend (--backend local)"},
      {{"--backend", "local", "--tls", "blue"}, "--tls needs --tls-cert and --tls-key"},
  };
  for (const auto& [words, error] : cases) {
    INFO(fmt::format("{}", fmt::join(words, " ")));
    auto r = parse(words);
    CHECK_FALSE(r.parsed);
    CHECK(r.exit_code == 2);
    CHECK(r.error == error);
  }
}

TEST_CASE("--help shows each option's default as the declaration binds it") {
  std::string help;
  with_command_line_definition([&](CLI::App& app) { help = app.help(); });
  for (const char* line :
       {"--backend TEXT:{terraform,local}=terraform",
        "--terraform TEXT=terraform (Env:XDEPLOY_TERRAFORM)", "-C,--chdir TEXT=terraform",
        "--tf-lock-timeout TEXT:DURATION=30s", "--health-status INT=200",
        "--health-timeout TEXT:DURATION=300s", "--lock-wait TEXT:DURATION=0", "--timeout TEXT=none",
        "--probe-interval TEXT:DURATION=100ms", "--probe-successes INT:INT in [1 - 1000]=5",
        "--slot-ports TEXT=8081,8082", "--public-port INT:INT in [1 - 65535]=8080",
        "--bind TEXT=127.0.0.1", "--swap-gap TEXT:DURATION=0s",
        "--hook-timeout TEXT:DURATION=60s"}) {
    INFO(line);
    CHECK_THAT(help, Catch::Contains(line));
  }
}
