// One declaration per option: what DeclaredOptions gives CLI11, --help,
// completion and finish() from a single call.
#include "declared_options.h"

#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace xd {
namespace {

using namespace std::chrono_literals;

void parse(CLI::App& app, std::vector<std::string> args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  app.parse(reversed);
}

}  // namespace

TEST_CASE("a duration: its default shown as a literal, its value stored by finish, its floor") {
  CLI::App app;
  DeclaredOptions declared(app);
  Millis interval{2000};
  Millis wait{0};
  declared.duration("--interval", interval, "between attempts", 50ms);
  declared.duration("--wait", wait, "how long", 0ms, "0");
  CHECK_THAT(app.help(), Catch::Contains("--interval TEXT:DURATION=2s"));
  CHECK_THAT(app.help(), Catch::Contains("--wait TEXT:DURATION=0 "));

  parse(app, {"--interval", "250ms", "--wait", "1m"});
  CHECK(interval == 2000ms);  // untouched until finish()
  CHECK(declared.finish().empty());
  CHECK(interval == 250ms);
  CHECK(wait == 60000ms);

  parse(app, {"--interval", "49ms"});
  CHECK(declared.finish() == "--interval 49ms is below the minimum 50ms");
  CHECK_THROWS_AS(parse(app, {"--interval", "soon"}), CLI::ValidationError);
}

TEST_CASE("a value kind travels on the option for completion and leaves --help alone") {
  CLI::App marked;
  CLI::App plain;
  std::string dir = "terraform";
  std::string other = "terraform";
  bool json = false;
  auto* option =
      DeclaredOptions(marked).text("-C,--chdir", dir, "working dir", ValueKind::Directory);
  plain.add_option("-C,--chdir", other, "working dir")->capture_default_str();
  CHECK(marked_value_kind(*option) == ValueKind::Directory);
  CHECK(marked.help() == plain.help());
  CHECK_FALSE(marked_value_kind(*plain.get_option("--chdir")));
  CHECK_FALSE(marked_value_kind(*DeclaredOptions(marked).flag("--json", json, "one object")));
}

TEST_CASE("switch_off: a --no-* flag turns its field off, and only when given") {
  CLI::App app;
  DeclaredOptions declared(app);
  bool hooks = true;
  bool probe = true;
  declared.switch_off("--no-hooks", hooks, "no hooks");
  declared.switch_off("--no-probe", probe, "no probe");
  parse(app, {"--no-hooks"});
  CHECK_FALSE(hooks);
  CHECK(probe);
}

}  // namespace xd
