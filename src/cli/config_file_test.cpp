// xdeploy.toml is checked strictly: syntax errors and unknown keys are named
// with their line, and a typo gets the closest valid key.
#include "config_file.h"

#include <catch2/catch.hpp>

using namespace xd;

namespace {
const std::vector<std::string> kKeys{
    "backend", "chdir", "health-timeout", "health-interval", "probe-interval", "var-file", "json"};
}

TEST_CASE("a valid xdeploy.toml passes") {
  CHECK(check_config_text("", kKeys).empty());
  CHECK(check_config_text("# comment\nbackend = \"local\"\nhealth-timeout = \"90s\"\n"
                          "var-file = [\"a.tfvars\", \"b.tfvars\"]\njson = true\n",
                          kKeys)
            .empty());
}

TEST_CASE("an unknown key names its line and the closest valid key") {
  const auto problem = check_config_text("backend = \"local\"\n\nhelth-timeout = \"5s\"\n", kKeys);
  CHECK(problem == "3: unknown key \"helth-timeout\" (did you mean \"health-timeout\"?)");
}

TEST_CASE("an unknown key far from every valid one gets no suggestion") {
  CHECK(check_config_text("colour_scheme = 1\n", kKeys) == "1: unknown key \"colour_scheme\"");
}

TEST_CASE("a TOML syntax error names line and column") {
  const auto problem = check_config_text("backend = \"local\"\nhealth-timeout = 5s\n", kKeys);
  CHECK_THAT(problem, Catch::StartsWith("2:"));
  CHECK_THAT(problem, Catch::Contains("syntax error"));
  CHECK_THAT(check_config_text("backend = \"local\nchdir = \"x\"\n", kKeys),
             Catch::StartsWith("1:"));
  CHECK_THAT(check_config_text("backend\n", kKeys), Catch::Contains("syntax error"));
}

TEST_CASE("sections are refused: every key is a top-level option") {
  CHECK(check_config_text("[status]\ncheck = true\n", kKeys) ==
        "1: unknown section [status]: xdeploy.toml has top-level keys only");
}

TEST_CASE("closest_key suggests typos, not different words") {
  CHECK(closest_key("chdri", kKeys) == "chdir");
  CHECK(closest_key("probe-intervall", kKeys) == "probe-interval");
  CHECK(closest_key("zzz", kKeys).empty());
  CHECK(closest_key("x", {}).empty());
}
