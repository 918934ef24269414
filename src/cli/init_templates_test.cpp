// `xdeploy init`'s xdeploy.toml is a real config: with every commented-out
// setting switched on, it still parses, to the documented defaults. And the
// hook options reach AppOptions.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>
#include <vector>

#include "command_line.h"
#include "support/scoped_temp_dir.h"
#include "xdeploy/app/init_templates.h"
#include "xdeploy/fs/atomic_file.h"

using xd::testing::ScopedTempDir;

using namespace xd;

namespace {

CommandLineOutcome parse(std::vector<std::string> words) {
  std::vector<const char*> argv{"xdeploy"};
  for (const auto& w : words) argv.push_back(w.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

// "# key = value   # comment" -> "key = value"
std::string uncommented(const std::string& toml) {
  static const std::regex setting(R"(^# ([a-z][a-z-]+ = .*?)(\s+#.*)?$)");
  std::istringstream in(toml);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    out += (std::regex_match(line, m, setting) ? m[1].str() : line) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("init's xdeploy.toml parses, every setting in it included") {
  ScopedTempDir tmp;
  const std::string all_on = uncommented(kXdeployToml);
  REQUIRE(all_on.find("\nhook-timeout = \"60s\"\n") != std::string::npos);
  REQUIRE(all_on.find("\nbackend = \"terraform\"\n") != std::string::npos);
  REQUIRE(write_file_atomically(tmp / "xdeploy.toml", all_on).empty());
  const auto r = parse({"--config", (tmp / "xdeploy.toml").string(), "status"});
  REQUIRE(r.parsed);
  const AppOptions defaults;
  const auto& o = r.parsed->options;
  CHECK(o.chdir == "terraform");
  CHECK(o.hooks.timeout == defaults.hooks.timeout);
  CHECK(o.health.timeout == defaults.health.timeout);
  CHECK(o.probe.deadline == defaults.probe.deadline);
  CHECK(o.terraform.lock_timeout == defaults.terraform.lock_timeout);
  CHECK(o.hooks.enabled);
}

TEST_CASE("hook options: --hooks-dir, --hook-timeout, --no-hooks") {
  const auto defaults = parse({"teal"});
  REQUIRE(defaults.parsed);
  CHECK(defaults.parsed->options.hooks.enabled);
  CHECK(defaults.parsed->options.hooks.dir.empty());
  CHECK(defaults.parsed->options.hooks.timeout == std::chrono::seconds(60));
  const auto set =
      parse({"teal", "--hooks-dir", "ops/hooks", "--hook-timeout", "5s", "--no-hooks"});
  REQUIRE(set.parsed);
  CHECK(set.parsed->options.hooks.dir == "ops/hooks");
  CHECK(set.parsed->options.hooks.timeout == std::chrono::seconds(5));
  CHECK_FALSE(set.parsed->options.hooks.enabled);
  CHECK(parse({"teal", "--hook-timeout", "soon"}).exit_code == 2);
}

TEST_CASE("init and completion are verbs of their own") {
  const auto init = parse({"init", "somewhere", "--force"});
  REQUIRE(init.parsed);
  CHECK(init.parsed->command == Command::Init);
  CHECK(init.parsed->init_dir == "somewhere");
  CHECK(init.parsed->options.force);
  CHECK(parse({"init"}).parsed->init_dir == ".");
  CHECK(parse({"completion", "tcsh"}).exit_code == 2);
  CHECK(parse({"completion"}).exit_code == 2);
}
