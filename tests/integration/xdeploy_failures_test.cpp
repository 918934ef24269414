// Terraform failing at each step, and every bad input: a one-line reason, a
// non-zero exit, and nothing changed.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <fstream>

#include <sys/stat.h>

#include "integration/terraform_world.h"

using namespace xd::testing;
using nlohmann::json;

TEST_CASE("status says why when the raw state cannot be read, and changes nothing") {
  TwoSlots t;
  auto& w = t.w;
  const auto state = w.state_text();
  for (const auto& [fault, says] : std::vector<std::pair<std::string, std::string>>{
           {"state_pull=fail", "terraform state pull failed"},
           {"state_pull=garbage", "cannot read `terraform state pull`: not JSON"}}) {
    INFO(fault);
    w.env["FAKE_TF_FAULTS"] = fault;
    auto r = w.xdeploy({"status"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(says));
    CHECK(w.state_text() == state);
  }
  w.env.erase("FAKE_TF_FAULTS");
  CHECK(w.status()["deployment"]["active"] == "blue");
}

TEST_CASE("Terraform failing at each step of a promote leaves blue serving") {
  TwoSlots t;
  auto& w = t.w;
  const auto state = w.state_text();
  for (const char* fault : {"plan=fail", "state_pull=fail", "apply=fail", "plan=crash"}) {
    INFO(fault);
    w.env["FAKE_TF_FAULTS"] = fault;
    auto r = w.xdeploy({"promote", "green"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("xdeploy: "));
    CHECK_THAT(r.err, Catch::Contains("next: ") || Catch::Contains("full log:"));
    if (std::string(fault) != "apply=fail") CHECK(w.state_text() == state);
  }
  // A plan whose -json stream cannot be vouched for (here: no change_summary) is refused.
  w.env["FAKE_TF_FAULTS"] = "plan=garbage";
  auto garbled = w.xdeploy({"promote", "green"});
  CHECK(garbled.exit_code == 4);
  CHECK_THAT(garbled.err, Catch::Contains("cannot check the"));
  CHECK(w.state_text() == state);
  w.env.erase("FAKE_TF_FAULTS");
  const auto s = w.status();
  CHECK(s["deployment"]["active"] == "blue");
  // After the failures the same command simply works.
  CHECK(w.xdeploy_json({"promote", "green"})["to"]["active"] == "green");
}

TEST_CASE("a partial apply is reported truthfully and can be resumed") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.env["FAKE_TF_FAULTS"] = "apply=fail-after-first";
  auto r = w.xdeploy({"teal"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("terraform apply failed"));
  w.env.erase("FAKE_TF_FAULTS");
  CHECK(w.status()["deployment"]["active"] == "blue");
  CHECK(w.xdeploy({"teal"}).exit_code == 0);
  CHECK(w.status()["deployment"]["inactive"] == "green");
}

// Real Lightsail through real Terraform: a promote replaces the attachment (detach, then
// attach); when the attach fails, the static IP is left on no slot and prod is down.
// fail-after-first on the move's apply (a promote runs no other apply: the gate reads the
// recorded address, the state is read back with `state pull`) persists just the detach.
TEST_CASE("an attach failing mid-promote: the IP is put back on the slot that served (exit 6)") {
  TwoSlots t;
  auto& w = t.w;
  w.env["FAKE_TF_FAULTS"] = fmt::format("apply#{}=fail-after-first", w.count("apply") + 1);
  auto r = w.xdeploy({"promote", "green"});
  w.env.erase("FAKE_TF_FAULTS");
  INFO(r.err);
  CHECK(r.exit_code == 6);
  CHECK_THAT(r.err, Catch::Contains("the static IP is attached to no slot"));
  CHECK_THAT(r.err, Catch::Contains("rolled back: blue is active again"));
  CHECK_THAT(r.err, Catch::Contains("`xdeploy promote green` tries again"));
  CHECK(w.status()["deployment"]["active"] == "blue");
  CHECK(w.xdeploy_json({"promote", "green"})["to"]["active"] == "green");
}

TEST_CASE("an attach failing mid-promote with --no-auto-rollback says prod is down and how out") {
  TwoSlots t;
  auto& w = t.w;
  w.env["FAKE_TF_FAULTS"] = fmt::format("apply#{}=fail-after-first", w.count("apply") + 1);
  auto r = w.xdeploy({"promote", "green", "--no-auto-rollback"});
  w.env.erase("FAKE_TF_FAULTS");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("the static IP is attached to no slot"));
  CHECK_THAT(r.err, Catch::Contains("nothing serves the public address"));
  CHECK_THAT(r.err, Catch::Contains("`xdeploy promote blue`"));
  CHECK_THAT(r.err, Catch::Contains("`xdeploy promote green`"));
  const auto s = w.status();
  CHECK(s["deployment"]["active"].is_null());
  CHECK(s["deployment"]["detached_pair"] == true);
  CHECK(w.xdeploy_json({"promote", "green"})["to"]["active"] == "green");
}

TEST_CASE("usage errors exit 2 and run no Terraform at all") {
  TerraformWorld w;
  for (auto args : std::vector<std::vector<std::string>>{{"purple"},
                                                         {"~teal"},
                                                         {"promote"},
                                                         {"promote", "purple"},
                                                         {"teal", "--no-such-flag"},
                                                         {"teal", "--health-timeout", "soon"},
                                                         {"rollback", "blue"},
                                                         {}}) {
    INFO(fmt::format("{}", fmt::join(args, " ")));
    auto r = w.xdeploy(args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("xdeploy: "));
  }
  CHECK(w.calls().empty());
}

TEST_CASE("state errors stop before any plan") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  SECTION("promoting a color that is not deployed") {
    auto r = w.xdeploy({"promote", "green"});
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("green is not deployed"));
    CHECK_THAT(r.err, Catch::Contains("xdeploy teal"));
  }
  SECTION("rollback with no inactive slot") {
    auto r = w.xdeploy({"rollback"});
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("no inactive slot"));
  }
  SECTION("a first deploy of the other color would destroy prod") {
    auto r = w.xdeploy({"green"});
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("would destroy it"));
  }
  SECTION("~blue on the active blue without --force") {
    auto r = w.xdeploy({"~blue"});
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("--force"));
  }
  CHECK(w.count("plan") == 2);  // only the first deploy's (create, then attach)
}

namespace {

// A terraform stand-in whose `state pull` prints what a broken or foreign root module's state
// would: the state xdeploy must refuse to interpret.
std::string scripted_terraform(const std::filesystem::path& dir, const std::string& state) {
  const auto path = dir / "odd-terraform";
  std::ofstream(path) << "#!/bin/sh\necho \"$*\" >> " << (dir / "odd-calls").string() << "\n"
                      << "case \"$*\" in *'state pull'*) printf '%s\\n' '" << state
                      << "';; esac\nexit 0\n";
  ::chmod(path.c_str(), 0755);
  return path.string();
}

}  // namespace

TEST_CASE("an unknown color or a malformed state is refused, nothing planned") {
  TerraformWorld w;
  std::filesystem::create_directories(w.dir() / ".terraform");
  for (const auto& [state, says] : std::vector<std::pair<std::string, std::string>>{
           {R"({"version":4,"outputs":{"active":{"value":"purple"},"slots":{"value":{}}}})",
            "cannot understand `terraform state pull`: the state's outputs"},
           {"{not json", "cannot read `terraform state pull`: not JSON"},
           {R"({"version":4,"outputs":{"slots":{"value":{"teal":{}}}}})",
            "cannot understand `terraform state pull`: the state's outputs"},
           {R"({"version":3,"modules":[]})", "cannot read `terraform state pull`: state format"}}) {
    INFO(state);
    auto bin = scripted_terraform(w.dir(), state);
    std::filesystem::remove(w.dir() / "odd-calls");
    auto argv = w.argv({"teal"});
    argv[2] = bin;
    auto r = run_child(ChildSpec{argv, w.env, {}});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(says));
    const auto calls = read_file(w.dir() / "odd-calls");
    CHECK_THAT(calls, Catch::Contains("state pull"));
    CHECK_THAT(calls, !Catch::Contains("plan"));
    CHECK_THAT(calls, !Catch::Contains("apply"));
  }
}

TEST_CASE("a missing terraform binary or working dir says what to do") {
  TerraformWorld w;
  auto argv = w.argv({"status"});
  argv[2] = "/nonexistent/terraform";
  auto r = run_child(ChildSpec{argv, w.env, {}});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("XDEPLOY_TERRAFORM"));
  auto argv2 = w.argv({"status"});
  argv2[4] = (w.dir() / "nope").string();
  auto r2 = run_child(ChildSpec{argv2, w.env, {}});
  CHECK(r2.exit_code == 2);
  CHECK_THAT(r2.err, Catch::Contains("does not exist"));
}

namespace {

// --json's promise: stdout is exactly one JSON object, whatever happened.
json one_json_object(const ChildResult& r) {
  INFO(fmt::format("stdout: {}\nstderr: {}", r.out, r.err));
  auto parsed = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  REQUIRE(parsed.is_object());  // a second line or human text would not parse
  CHECK(parsed["ok"] == (r.exit_code == 0));
  CHECK(parsed["exit_code"] == r.exit_code);
  return parsed;
}

}  // namespace

TEST_CASE("--json prints one error object for usage errors, status failures and a missing binary") {
  TerraformWorld w;
  for (auto args :
       std::vector<std::vector<std::string>>{{"--json", "purple"},
                                             {"--json", "promote"},
                                             {"--json", "teal", "--no-such-flag"},
                                             {"--json", "teal", "--health-interval", "0"},
                                             {"--json"}}) {
    INFO(fmt::format("{}", fmt::join(args, " ")));
    const auto r = w.xdeploy(args);
    CHECK(r.exit_code == 2);
    auto j = one_json_object(r);
    CHECK(j["result"] == "usage");
    CHECK(j["error"].is_string());
    CHECK_FALSE(j["error"].get<std::string>().empty());
  }
  for (const auto& verb : {"status", "teal"}) {
    auto argv = w.argv({verb, "--json"});
    argv[2] = "/nonexistent/terraform";
    const auto r = run_child(ChildSpec{argv, w.env, {}});
    CHECK(r.exit_code == 1);
    CHECK_THAT(one_json_object(r)["error"].get<std::string>(),
               Catch::Contains("XDEPLOY_TERRAFORM"));
  }
}

TEST_CASE("--json with plan or --dry-run keeps the step list inside the one object") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  for (const auto& args : std::vector<std::vector<std::string>>{{"plan", "teal", "--json"},
                                                                {"teal", "--dry-run", "--json"}}) {
    const auto r = w.xdeploy(args);
    CHECK(r.exit_code == 0);
    auto j = one_json_object(r);
    CHECK(j["dry_run"] == true);
    REQUIRE(j["plan"].is_array());
    CHECK_THAT(j["plan"][0].get<std::string>(), Catch::StartsWith("1. "));
  }
  // A failing dry run is still one object.
  w.env["FAKE_TF_FAULTS"] = "plan=fail";
  const auto r = w.xdeploy({"plan", "teal", "--json"});
  CHECK(r.exit_code != 0);
  CHECK(one_json_object(r)["ok"] == false);
}

TEST_CASE("a -C typo or a directory without *.tf is refused before anything is created") {
  TerraformWorld w;
  const auto typo = w.dir() / "terrafrom";
  const auto r = w.xdeploy({"-C", typo.string(), "blue"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(typo.string()));
  CHECK_THAT(r.err, Catch::Contains("does not exist"));
  CHECK_FALSE(std::filesystem::exists(typo));  // no directory, no .xdeploy, no init

  const auto empty = w.dir() / "empty";
  std::filesystem::create_directories(empty);
  const auto e = w.xdeploy({"-C", empty.string(), "blue", "--json"});
  CHECK(e.exit_code == 2);
  CHECK_THAT(one_json_object(e)["error"].get<std::string>(), Catch::Contains(empty.string()));
  CHECK_THAT(e.err, Catch::Contains("no *.tf files"));
  CHECK(std::filesystem::is_empty(empty));
  CHECK(w.calls().empty());
}
