// Issue 9: what xdeploy must never do even when Terraform misbehaves. No
// secret from `show -json`/`state pull`/`output -json` reaches anything xdeploy writes;
// plan files are private and short-lived; a plan the guard cannot read is
// refused; state is read back after every change and never trusted stale;
// --timeout interrupts Terraform the same way Ctrl-C does.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <fstream>

#include <sys/stat.h>

#include "integration/terraform_world.h"

using namespace xd::testing;
using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string all_files_under(const fs::path& dir) {
  std::string text;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file()) text += read_file(e.path());
  return text;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::vector<std::string> signals_of_last(const TerraformWorld& w, const std::string& sub) {
  std::vector<std::string> out;
  for (const auto& c : w.calls())
    if (c.value("subcommand", "") == sub) {
      out.clear();
      for (const auto& s : c.value("signals", json::array())) out.push_back(s);
    }
  return out;
}

// Applies that change infrastructure: the apply of a checked refresh-only plan (run only when
// a refresh found drift) records what the world already is.
int changing_applies(const TerraformWorld& w) {
  int n = 0;
  for (const auto& c : w.calls()) {
    if (c.value("subcommand", "") != "apply") continue;
    const auto& argv = c["argv"];
    n += std::find(argv.begin(), argv.end(), "-refresh-only") == argv.end();
  }
  return n;
}

// FAKE_TF_FAULTS counts every `apply`: the `ahead`-th apply from now.
std::string nth_apply_from_now(const TerraformWorld& w, int ahead, const std::string& action) {
  return fmt::format("apply#{}={}", w.count("apply") + ahead, action);
}

json last_history(const TerraformWorld& w) {
  return w.xdeploy_json({"history", "--limit", "1"})[0];
}

}  // namespace

TEST_CASE(
    "secrets in show -json, state pull and output -json never reach stdout, stderr or .xdeploy") {
  TerraformWorld w;
  const std::string secret = "PLANTED-s3cr3t-9f1c";
  w.env["FAKE_TF_PLANT_SECRET"] = secret;
  // An older xdeploy left the directory readable by everyone.
  fs::create_directories(w.dir() / ".xdeploy" / "logs");
  fs::permissions(w.dir() / ".xdeploy", fs::perms(0755));
  std::ofstream(w.dir() / ".xdeploy" / "history.jsonl") << "";
  fs::permissions(w.dir() / ".xdeploy" / "history.jsonl", fs::perms(0644));

  std::string written;
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"blue", "-v"},
                                             {"teal", "-q"},
                                             {"plan", "promote", "green", "-v"},
                                             {"promote", "green", "--json", "-v"},
                                             {"~blue", "--json"},
                                             {"status", "-v"},
                                             {"status", "--check", "--json"},
                                             {"cleanup", "--yes", "-v"},
                                             {"history"}}) {
    INFO(fmt::format("{}", fmt::join(args, " ")));
    auto r = w.xdeploy(args);
    CHECK(r.exit_code == 0);
    written += r.out + r.err;
  }
  // The fake did print it (the test would prove nothing otherwise).
  auto direct = run_child(
      ChildSpec{{FAKE_TERRAFORM_BIN, "-chdir=" + w.dir().string(), "output", "-json"}, w.env, {}});
  REQUIRE_THAT(direct.out, Catch::Contains(secret));
  // Every status read the raw state, which holds the secret too.
  REQUIRE(w.count("state pull") >= 2);
  auto pulled = run_child(
      ChildSpec{{FAKE_TERRAFORM_BIN, "-chdir=" + w.dir().string(), "state", "pull"}, w.env, {}});
  REQUIRE_THAT(pulled.out, Catch::Contains(secret));
  written += all_files_under(w.dir() / ".xdeploy");
  CHECK_THAT(written, !Catch::Contains(secret));
  // The summary instead of the body.
  CHECK_THAT(written, Catch::Contains("plan read from its -json stream"));

  CHECK(mode_of(w.dir() / ".xdeploy") == 0700);
  CHECK(mode_of(w.dir() / ".xdeploy" / "logs") == 0700);
  CHECK(mode_of(w.dir() / ".xdeploy" / "history.jsonl") == 0600);
  for (const auto& e : fs::directory_iterator(w.dir() / ".xdeploy" / "logs"))
    CHECK(mode_of(e.path()) == 0600);
}

TEST_CASE("plan files are 0600 in a 0700 dir while they live, and gone on every exit path") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  const auto plans = w.dir() / ".xdeploy" / "plans";
  SECTION("a run killed outright leaves one; the next run removes it") {
    // The name of a promote's move, planned with -var=verified while its gate polled:
    // applied by hand it would skip the gate.
    std::ofstream(plans / "switch-green.tfplan") << "old plan with the whole state";
    auto r = w.xdeploy({"teal"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("removed 1 plan file(s) left by an earlier run"));
  }
  SECTION("Ctrl-C while Terraform applies") {
    w.env["FAKE_TF_FAULTS"] = "apply=hang";
    const int plans_before = w.count("plan");
    ChildProcess run(w.spec({"teal"}));
    REQUIRE(eventually(
        [&] { return w.count("plan") > plans_before && fs::exists(plans / "create-green.tfplan"); },
        30s));
    REQUIRE(eventually([&] { return run.err_so_far().find("plan read from") != std::string::npos; },
                       30s));
    CHECK(mode_of(plans / "create-green.tfplan") == 0600);
    CHECK(mode_of(plans) == 0700);
    run.signal(SIGINT);
    REQUIRE(run.wait(30s));
    CHECK(run.result().exit_code == 130);
  }
  SECTION("a refused plan") {
    w.env["FAKE_TF_DRIFT"] = R"(module.slot["blue"].aws_lightsail_instance.this)";
    CHECK(w.xdeploy({"teal"}).exit_code == 4);
  }
  SECTION("a failed apply") {
    w.env["FAKE_TF_FAULTS"] = "apply=fail";
    CHECK(w.xdeploy({"teal"}).exit_code == 1);
  }
  std::vector<fs::path> left;
  for (const auto& e : fs::directory_iterator(plans)) left.push_back(e.path());
  CHECK(left.empty());
}

TEST_CASE("a plan -json stream the guard cannot read is refused (exit 4) and nothing is applied") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  const auto state = w.state_text();
  const int applies = w.count("apply");
  w.env["FAKE_TF_FAULTS"] = "plan=garbage";
  auto r = w.xdeploy({"teal", "--json"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("refused: cannot check the"));
  CHECK_THAT(r.err, Catch::Contains("nothing was applied"));
  CHECK(json::parse(r.out)["result"] == "refused");
  CHECK(w.count("apply") == applies);
  CHECK(w.state_text() == state);
}

TEST_CASE("an apply that exits 0 having done nothing is never reported as done") {
  TwoSlots t;
  auto& w = t.w;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"cleanup", "--yes"}, {"~green"}, {"promote", "green"}}) {
    INFO(fmt::format("{}", fmt::join(args, " ")));
    // Each verb's one apply (a promote gates at the recorded address: no refresh first).
    w.env["FAKE_TF_FAULTS"] = nth_apply_from_now(w, 1, "noop");
    auto r = w.xdeploy(args);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, !Catch::Contains("OK:"));
    CHECK_THAT(r.err, Catch::Contains("applied none of the planned changes"));
  }
  w.env.erase("FAKE_TF_FAULTS");
  const auto s = w.status();
  CHECK(s["deployment"]["active"] == "blue");
  CHECK(s["deployment"]["inactive"] == "green");
}

TEST_CASE("an apply that claims changes it never made is caught by reading the state back") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  SECTION("teal: the new slot is not there") {
    w.env["FAKE_TF_FAULTS"] = "apply=lie";
    auto r = w.xdeploy({"teal", "--json"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("after the change the backend reports blue active"));
    CHECK(json::parse(r.out)["to"]["inactive"].is_null());
  }
  SECTION("promote: verify finds the wrong active color") {
    w.xdeploy_json({"teal"});
    // The move's apply (the promote's only one) lies; the state read back after it tells.
    w.env["FAKE_TF_FAULTS"] = nth_apply_from_now(w, 1, "lie");
    auto r = w.xdeploy({"promote", "green", "--no-probe"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("expected green active"));
    w.env.erase("FAKE_TF_FAULTS");
    CHECK(last_history(w)["to"]["active"] == "blue");
  }
}

TEST_CASE("an interrupted promote with stale outputs: status and history tell the truth") {
  TwoSlots t;
  auto& w = t.w;
  w.env["FAKE_TF_STALE_OUTPUTS"] = "1";
  w.write_fake_config("1", 1500);
  ChildProcess run(w.spec({"promote", "green"}));
  REQUIRE(eventually(
      [&] {
        return run.err_so_far().find("static_ip_attachment.this: Destruction complete") !=
               std::string::npos;
      },
      30s));
  run.signal(SIGINT);
  REQUIRE(run.wait(30s));
  INFO(run.result().err);
  CHECK(run.result().exit_code == 130);
  w.write_fake_config("1", 0);
  // The outputs still say blue (Terraform did not re-evaluate them) ...
  auto outputs = run_child(
      ChildSpec{{FAKE_TERRAFORM_BIN, "-chdir=" + w.dir().string(), "output", "-json"}, w.env, {}});
  REQUIRE_THAT(outputs.out, Catch::Contains(R"("value": "blue")"));
  // ... but the attachment is gone, and nothing says blue is active.
  const auto to = last_history(w)["to"];
  CHECK((to.is_null() || to["active"] != "blue"));
  const auto s = w.status();
  CHECK(s["deployment"]["active"].is_null());
  auto check = w.xdeploy({"status", "--check"});
  CHECK(check.exit_code == 3);
  CHECK_THAT(check.out, Catch::Contains("no slot is attached"));
  // A new run does not trust the outputs either, until an apply completes.
  CHECK(w.xdeploy_json({"status"})["deployment"]["active"].is_null());
  // Running the same command again finishes the job.
  w.env.erase("FAKE_TF_STALE_OUTPUTS");
  CHECK(w.xdeploy_json({"promote", "green"})["to"]["active"] == "green");
}

TEST_CASE("--timeout: one SIGINT to Terraform, exit 124, the state it left, what to do") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  SECTION("a hung terraform") {
    w.env["FAKE_TF_FAULTS"] = "apply=hang";
    // Long enough that the deadline never lands in the plan before it, on a loaded machine too.
    auto r = w.xdeploy({"teal", "--timeout", "3s", "--json"});
    CHECK(r.exit_code == 124);
    CHECK_THAT(r.err, Catch::Contains("timed out after 3.0s (--timeout)"));
    CHECK_THAT(r.err, Catch::Contains("now: blue active"));
    CHECK_THAT(r.err, Catch::Contains("xdeploy status"));
    CHECK(json::parse(r.out)["result"] == "timed_out");
    CHECK(signals_of_last(w, "apply") == std::vector<std::string>{"SIGINT"});
  }
  SECTION("an operation that outlives the grace period gets a second SIGINT, never SIGKILL") {
    w.write_fake_config("1", 30000);
    auto r = w.xdeploy({"teal", "--timeout", "3s", "--timeout-grace", "500ms"});
    CHECK(r.exit_code == 124);
    CHECK(signals_of_last(w, "apply") == std::vector<std::string>{"SIGINT", "SIGINT"});
  }
  SECTION("while the health gate waits") {
    w.xdeploy_json({"teal"});
    w.green.set_status(503);
    auto r = w.xdeploy({"promote", "green", "--timeout", "1s", "--health-timeout", "1m"});
    CHECK(r.exit_code == 124);
    CHECK(w.status()["deployment"]["active"] == "blue");
  }
  SECTION("a bad value is a usage error") {
    CHECK(w.xdeploy({"teal", "--timeout", "0"}).exit_code == 2);
    CHECK(w.xdeploy({"teal", "--timeout", "soon"}).exit_code == 2);
  }
}

TEST_CASE("Terraform's escape codes never reach messages, history or --json") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  const auto bin = w.dir() / "colored-terraform";
  std::ofstream(bin)
      << "#!/bin/sh\nprintf '\\033[31m\\033[1mError: \\033[0mbroken state\\n' >&2\nexit 1\n";
  ::chmod(bin.c_str(), 0755);
  auto argv = w.argv({"teal", "--json"});
  argv[2] = bin.string();
  auto r = run_child(ChildSpec{argv, w.env, {}});
  CHECK(r.exit_code == 1);
  const auto result = json::parse(r.out);
  CHECK_THAT(result["message"].get<std::string>(), Catch::Contains("Error: broken state"));
  CHECK_THAT(r.out, !Catch::Contains("\x1b"));
  CHECK_THAT(read_file(w.dir() / ".xdeploy" / "history.jsonl"), !Catch::Contains("\x1b"));
  std::string logs;
  for (const auto& e : fs::directory_iterator(w.dir() / ".xdeploy" / "logs"))
    logs += read_file(e.path());
  CHECK_THAT(logs, Catch::Contains("broken state"));
  CHECK_THAT(logs, !Catch::Contains("\x1b"));
}

// The paths of verb_runner.cpp that no other test drives.

TEST_CASE("the automatic rollback failing too is said plainly (exit 1)") {
  TwoSlots t;
  auto& w = t.w;
  w.ip->pin_to("web-blue");  // green never serves publicly: xdeploy rolls back ...
  // ... and the rollback's apply fails: after the move (1), the rollback's move is the 2nd
  // apply (no gate refreshes first: each gate tries the recorded address).
  w.env["FAKE_TF_FAULTS"] = nth_apply_from_now(w, 2, "fail");
  auto r = w.xdeploy({"promote", "green", "--probe-deadline", "1s", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("never served"));
  CHECK_THAT(r.err, Catch::Contains("the automatic rollback to blue FAILED too"));
  CHECK_THAT(r.err, Catch::Contains("act by hand"));
  CHECK(json::parse(r.out)["result"] == "failed");
}

TEST_CASE("Ctrl-C in the health gate moves nothing (exit 130)") {
  TwoSlots t;
  auto& w = t.w;
  w.green.set_status(503);
  const int applies = w.count("apply");
  const int changes = changing_applies(w);
  ChildProcess run(w.spec({"promote", "green", "--health-timeout", "1m"}));
  REQUIRE(eventually([&] { return run.err_so_far().find("attempt 2") != std::string::npos; }, 30s));
  run.signal(SIGINT);
  REQUIRE(run.wait(30s));
  CHECK(run.result().exit_code == 130);
  CHECK_THAT(run.result().err, Catch::Contains("interrupted during the health gate"));
  CHECK(w.count("apply") == applies);  // none: the gate read no refresh, the move never ran
  CHECK(changing_applies(w) == changes);
  // The move was planned while the gate polled; its plan (with the attestation) is gone.
  CHECK_FALSE(fs::exists(w.dir() / ".xdeploy/plans/switch-green.tfplan"));
  CHECK(last_history(w)["to"]["active"] == "blue");
}

TEST_CASE("Ctrl-C while the prober watches the public endpoint (exit 130)") {
  TwoSlots t;
  auto& w = t.w;
  w.ip->pin_to("web-blue");
  ChildProcess run(w.spec({"promote", "green", "--probe-deadline", "1m"}));
  REQUIRE(eventually([&] { return run.err_so_far().find("watching") != std::string::npos; }, 30s));
  run.signal(SIGINT);
  REQUIRE(run.wait(30s));
  CHECK(run.result().exit_code == 130);
  CHECK_THAT(run.result().err, Catch::Contains("interrupted while watching the public endpoint"));
  // The IP did move in Terraform: history records what the state says, not a guess.
  CHECK(last_history(w)["to"]["active"] == "green");
}

TEST_CASE("Ctrl-C during an apply's last operation: the apply finishes, the next step does not") {
  TwoSlots t;
  auto& w = t.w;
  w.write_fake_config("1", 2500);  // room for the signal to land mid-operation
  ChildProcess run(w.spec({"promote", "green", "--no-probe"}));
  REQUIRE(eventually(
      [&] {
        return run.err_so_far().find("aws_lightsail_static_ip_attachment.this: Creating...") !=
               std::string::npos;
      },
      30s));
  run.signal(SIGINT);
  REQUIRE(run.wait(30s));
  const auto r = run.result();
  INFO(r.err);
  CHECK(r.exit_code == 130);
  CHECK_THAT(r.err, Catch::Contains("interrupted before: "));
  CHECK_THAT(r.err, Catch::Contains("now: green active"));
}

TEST_CASE("the state read after a change failing is a failure, not a guess") {
  TerraformWorld w;
  // The first deploy reads the state (1), creates blue, reads it back (2) for the gate,
  // attaches, then reads it back (3): that read-back fails.
  w.env["FAKE_TF_FAULTS"] = "state_pull#3=fail";
  auto r = w.xdeploy({"blue", "--json"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("terraform state pull failed"));
  CHECK(changing_applies(w) == 2);  // both changes were made: the failure is the read after
  const auto result = json::parse(r.out);
  CHECK(result["result"] == "failed");
  w.env.erase("FAKE_TF_FAULTS");
  CHECK(w.status()["deployment"]["active"] == "blue");
}

TEST_CASE("a slot without a health_url is never gated blind") {
  TerraformWorld w;
  auto config = json::parse(read_file(w.dir() / "fake-terraform.json"));
  config["slots"]["green"]["health_url"] = "";
  std::ofstream(w.dir() / "fake-terraform.json") << config.dump(2);
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  const int applies = w.count("apply");
  const int changes = changing_applies(w);
  auto r = w.xdeploy({"promote", "green"});
  // A slot the outputs give no health URL is half-built: refused before any gate or plan.
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("green is half-built (its health URL is missing"));
  CHECK_THAT(r.err, Catch::Contains("the static IP was not moved"));
  CHECK_THAT(r.err, Catch::Contains("`xdeploy ~green`"));
  CHECK(w.count("apply") == applies);
  CHECK(changing_applies(w) == changes);
}

TEST_CASE("history that cannot be written is a warning, the verb still reports its result") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  fs::remove(w.dir() / ".xdeploy" / "history.jsonl");
  fs::create_directories(w.dir() / ".xdeploy" / "history.jsonl");  // a directory: not appendable
  auto r = w.xdeploy({"teal", "--json"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("could not record the operation in history"));
  CHECK(json::parse(r.out)["result"] == "ok");
}

TEST_CASE("status --check compares who answers on the public address with the active color") {
  TwoSlots t;
  auto& w = t.w;
  w.ip->pin_to("web-blue");  // Terraform moves the IP to green, traffic still reaches blue
  CHECK(w.xdeploy({"promote", "green", "--probe-deadline", "1s", "--no-auto-rollback"}).exit_code ==
        6);
  auto r = w.xdeploy({"status", "--check", "--json"});
  CHECK(r.exit_code == 3);
  const auto s = json::parse(r.out);
  CHECK(s["deployment"]["active"] == "green");
  CHECK_THAT(s["public_health"].get<std::string>(), Catch::Contains("answered as blue"));
  // Green holds the static IP, and on Lightsail an attached instance answers only there: its
  // own probe goes to the same address and says the same, never "healthy".
  CHECK(s["slots"]["green"]["health_url"] == s["health_url"]);
  CHECK_THAT(s["slots"]["green"]["health"].get<std::string>(), Catch::Contains("answered as blue"));
  CHECK(s["slots"]["blue"]["health"] == "healthy");
}
