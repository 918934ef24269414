// What keeps prod safe: the health gate, the plan guard against drift, the
// deploy lock, Ctrl-C forwarded as SIGINT, automatic rollback, and secrets
// that never leak into argv, logs or history.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "integration/terraform_world.h"

using namespace xd::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string all_files_under(const std::filesystem::path& dir) {
  std::string text;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) text += read_file(e.path());
  return text;
}

// Applies that can change infrastructure (a refresh-only apply only reads it back).
int changing_applies(const TerraformWorld& w) {
  int n = 0;
  for (const auto& c : w.calls()) {
    if (c.value("subcommand", "") != "apply") continue;
    const auto argv = c.value("argv", json::array());
    n += std::find(argv.begin(), argv.end(), "-refresh-only") == argv.end();
  }
  return n;
}

}  // namespace

TEST_CASE("a failing health gate leaves the static IP where it was") {
  TwoSlots t;
  auto& w = t.w;
  w.green.set_status(503);
  const int applies = changing_applies(w);
  auto r = w.xdeploy({"promote", "green", "--json"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("green failed its health gate"));
  CHECK_THAT(r.err, Catch::Contains("the static IP was not moved"));
  CHECK_THAT(r.err, Catch::Contains("status 503"));
  const auto result = json::parse(r.out);
  CHECK(result["result"] == "health_failed");
  CHECK(result["gate"]["passed"] == false);
  CHECK(result["gate"]["attempts"].get<int>() >= 2);
  CHECK(changing_applies(w) == applies);
  CHECK(w.status()["deployment"]["active"] == "blue");
}

TEST_CASE("the gate checks the slot's identity, not just its status") {
  TwoSlots t;
  t.w.green.answer_as("blue");
  auto r = t.w.xdeploy({"promote", "green"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("answered as blue"));
  CHECK(t.w.status()["deployment"]["active"] == "blue");
}

TEST_CASE("a drifted plan is refused before apply, naming what would change") {
  TwoSlots t;
  auto& w = t.w;
  w.xdeploy_json({"cleanup"});
  // Someone changed blue (the active slot) outside Terraform: the plan now replaces it.
  w.env["FAKE_TF_DRIFT"] = R"(module.slot["blue"].aws_lightsail_instance.this)";
  const auto state = w.state_text();
  auto r = w.xdeploy({"teal"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains(R"(replace module.slot["blue"].aws_lightsail_instance.this)"));
  CHECK_THAT(r.err, Catch::Contains("active slot"));
  CHECK_THAT(r.err, Catch::Contains("nothing was applied"));
  CHECK(w.state_text() == state);
}

TEST_CASE(
    "a new build: ~green ships it, the active slot keeps its own, status tells which is stale") {
  TwoSlots t;
  auto& w = t.w;
  w.write_fake_config("2");
  // The module ignores user_data changes of existing slots: nothing drifts.
  CHECK(w.xdeploy({"teal"}).exit_code == 0);
  CHECK(w.xdeploy({"~green"}).exit_code == 0);
  auto s = w.status();
  CHECK(s["current_build"] == "2");
  CHECK(s["slots"]["green"]["build"] == "2");
  CHECK(s["slots"]["green"]["stale"] == false);
  CHECK(s["slots"]["blue"]["build"] == "1");
  CHECK(s["slots"]["blue"]["stale"] == true);
  CHECK(w.xdeploy({"promote", "green"}).exit_code == 0);
  auto back = w.xdeploy({"rollback"});
  CHECK(back.exit_code == 0);
  CHECK_THAT(back.err, Catch::Contains("blue runs build 1 but the current build is 2"));
}

// filesha256 of the artifact files below, as the module computes current_build.
constexpr const char* kBuild1 = "4ba0d1825bdde359ce65cb7a1775c82fde403b82583fa9f66d6aa9a6417729d7";
constexpr const char* kBuild2 = "6a9a5b4df38e59034fae89f346121a958528fcfad33ad69acbce6f727e63c361";

TEST_CASE(
    "a new .deb shows as STALE before any apply: the saved current_build lags, the file "
    "does not") {
  TerraformWorld w;
  const std::string artifact = w.env.at("TF_VAR_artifact_path");
  std::ofstream(artifact, std::ios::trunc) << "build 1";
  // The fake's saved outputs say build 1 until the test says otherwise: like real
  // Terraform, whose outputs change only on apply.
  w.write_fake_config(kBuild1);
  w.xdeploy_json({"blue"});
  int before = w.count("output") + w.count("state pull");
  CHECK(w.status()["slots"]["blue"]["stale"] == false);
  const int status_calls = w.count("output") + w.count("state pull") - before;

  std::ofstream(artifact, std::ios::trunc) << "build 2";
  before = w.count("output") + w.count("state pull");
  const auto s = w.status();
  INFO(s.dump());
  CHECK(s["current_build"] == kBuild2);
  CHECK(s["slots"]["blue"]["build"] == kBuild1);
  CHECK(s["slots"]["blue"]["stale"] == true);
  CHECK(w.count("output") + w.count("state pull") - before == status_calls);  // no extra Terraform
  CHECK(w.calls().back().value("subcommand", "") != "plan");

  // `xdeploy blue` has nothing to do (no plan, no apply) but says blue is behind and how
  // to ship the build without touching prod.
  const int plans = w.count("plan");
  auto r = w.xdeploy({"blue"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(w.count("plan") == plans);
  CHECK_THAT(r.err, Catch::Contains("blue runs build 4ba0d1825bdd but the current build is "
                                    "6a9a5b4df38e"));
  CHECK_THAT(r.err, Catch::Contains("`xdeploy teal`"));
}

TEST_CASE("FAKE_TF_DRIFT on the static IP attachment blocks a teal") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.env["FAKE_TF_DRIFT"] = "module.upgrade.aws_lightsail_static_ip_attachment.this";
  auto r = w.xdeploy({"teal"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("module.upgrade.aws_lightsail_static_ip_attachment.this"));
}

TEST_CASE("--force replaces the active slot, then gates and verifies it") {
  TwoSlots t;
  auto r = t.w.xdeploy_json({"~blue", "--force", "--yes"});
  CHECK(r["result"] == "ok");
  CHECK(r["to"]["active"] == "blue");
}

TEST_CASE("two concurrent runs: the second fails at once naming the holder") {
  TwoSlots t;
  auto& w = t.w;
  w.env["FAKE_TF_FAULTS"] = "apply=slow:3000";
  const int plans = w.count("plan");
  ChildProcess first(w.spec({"promote", "green"}));
  // Its move is planned (the fake logs a call when it ends) and its 3 s apply is next: it
  // holds the deploy lock.
  REQUIRE(eventually([&] { return w.count("plan") > plans; }, 10s));
  w.env.erase("FAKE_TF_FAULTS");
  const auto t0 = std::chrono::steady_clock::now();
  auto second = w.xdeploy({"cleanup"});
  CHECK(std::chrono::steady_clock::now() - t0 < 15s);  // no wait: far below the 3 s apply + queue
  CHECK(second.exit_code == 5);
  CHECK_THAT(second.err, Catch::Contains("another xdeploy is running"));
  CHECK_THAT(second.err, Catch::Contains("promote green"));
  CHECK_THAT(second.err, Catch::Contains(std::to_string(first.pid())));
  REQUIRE(first.wait(20s));
  CHECK(first.result().exit_code == 0);
  // --lock-wait queues behind the holder instead.
  w.env["FAKE_TF_FAULTS"] = "apply=slow:1500";
  const int plans_before_rollback = w.count("plan");
  ChildProcess again(w.spec({"rollback"}));
  REQUIRE(eventually([&] { return w.count("plan") > plans_before_rollback; }, 10s));
  w.env.erase("FAKE_TF_FAULTS");
  auto waiter = w.xdeploy({"status", "--lock-wait", "20s"});  // status takes no lock: works at once
  CHECK(waiter.exit_code == 0);
  auto queued = w.xdeploy({"cleanup", "--lock-wait", "20s"});
  CHECK(queued.exit_code == 0);
  REQUIRE(again.wait(20s));
  CHECK(again.result().exit_code == 0);
}

TEST_CASE("Ctrl-C while waiting for the lock exits 130, not 5, and changes nothing") {
  TerraformWorld w;
  std::filesystem::create_directories(w.dir() / ".xdeploy");
  const int held = ::open((w.dir() / ".xdeploy/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(held >= 0);
  REQUIRE(::flock(held, LOCK_EX) == 0);  // another xdeploy, as far as the waiter can tell
  ChildProcess waiter(w.spec({"teal", "--lock-wait", "10m"}));
  REQUIRE(eventually(
      [&] { return waiter.err_so_far().find("waiting up to 10m") != std::string::npos; }, 30s));
  waiter.signal(SIGINT);
  REQUIRE(waiter.wait(30s));
  const auto r = waiter.result();
  ::close(held);
  INFO(r.err);
  CHECK(r.exit_code == 130);
  CHECK_THAT(r.err, Catch::Contains("interrupted while waiting for the lock"));
  CHECK_THAT(r.err, !Catch::Contains("--lock-wait 10m"));
  CHECK(w.calls().empty());  // not even terraform init
}

TEST_CASE(
    "Ctrl-C during an apply reaches terraform as SIGINT; xdeploy exits 130; promote resumes") {
  TwoSlots t;
  auto& w = t.w;
  w.write_fake_config("1", 1500);  // every resource operation takes 1.5 s
  ChildProcess run(w.spec({"promote", "green"}));
  // Interrupt while the apply is moving the IP (a resource operation in flight).
  REQUIRE(
      eventually([&] { return run.err_so_far().find("Destroying...") != std::string::npos; }, 30s));
  run.signal(SIGINT);
  REQUIRE(run.wait(30s));
  const auto r = run.result();
  INFO(r.err);
  CHECK(r.exit_code == 130);
  CHECK_THAT(r.err, Catch::Contains("Interrupt received"));
  bool saw_sigint = false;
  for (const auto& c : w.calls())
    if (c.value("subcommand", "") == "apply")
      for (const auto& s : c.value("signals", json::array())) saw_sigint |= s == "SIGINT";
  CHECK(saw_sigint);
  w.write_fake_config("1", 0);
  auto history = w.xdeploy_json({"history", "--limit", "1"});
  CHECK(history[0]["result"] == "interrupted");
  // Terraform saved what it did: the IP may be detached; status says so truthfully.
  const auto s = w.status();
  INFO(s.dump());
  CHECK((s["deployment"]["active"] == "blue" ||
         (s["deployment"]["active"].is_null() && s["deployment"]["detached_pair"] == true)));
  // Running the same command again finishes the job.
  CHECK(w.xdeploy_json({"promote", "green"})["to"]["active"] == "green");
}

TEST_CASE("the public endpoint never serving the new color rolls back (exit 6)") {
  TwoSlots t;
  auto& w = t.w;
  w.ip->pin_to("web-blue");  // the IP "moves" in Terraform but traffic never reaches green
  auto r = w.xdeploy({"promote", "green", "--probe-deadline", "1s", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 6);
  CHECK_THAT(r.err, Catch::Contains("never served"));
  CHECK_THAT(r.err, Catch::Contains("rolled back"));
  const auto result = json::parse(r.out);
  CHECK(result["result"] == "rolled_back");
  CHECK(result["probe"]["new_color_served"] == false);
  CHECK(w.status()["deployment"]["active"] == "blue");

  auto left = w.xdeploy({"promote", "green", "--probe-deadline", "1s", "--no-auto-rollback"});
  CHECK(left.exit_code == 6);
  CHECK_THAT(left.err, Catch::Contains("left as is"));
  CHECK(w.status()["deployment"]["active"] == "green");
}

TEST_CASE("secrets travel as TF_VAR_*, never in argv, logs or history") {
  TerraformWorld w;
  w.env["TF_VAR_falconx_secret_key"] = "sup3r-s3cret-value";
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  auto r = w.xdeploy({"promote", "green", "--", "-var=webhook_secret=an0ther-s3cret"});
  CHECK(r.exit_code == 0);
  // The TF_VAR_ secret is nowhere: not in xdeploy's logs or history, not in any argv.
  const auto ours = all_files_under(w.dir() / ".xdeploy");
  CHECK_THAT(ours + read_file(w.env.at("FAKE_TF_LOG")) + r.err + r.out,
             !Catch::Contains("sup3r-s3cret-value"));
  // A secret the user put in argv anyway (after --) is redacted in what xdeploy writes.
  CHECK_THAT(ours, !Catch::Contains("an0ther-s3cret"));
  const auto history = read_file(w.dir() / ".xdeploy" / "history.jsonl");
  CHECK_THAT(history, !Catch::Contains("an0ther-s3cret"));
  CHECK_THAT(history, Catch::Contains("webhook_secret=***"));
  bool fake_saw_it = false;
  for (const auto& c : w.calls())
    for (const auto& name : c.value("tf_vars", json::array()))
      fake_saw_it |= name == "falconx_secret_key";
  CHECK(fake_saw_it);
}
