// xdeploy itself killed (OOM killer, CI job timeout, kill -9) while Terraform
// applies: Terraform must not die with it (no final state write, its lock left,
// resources missing from state), and must keep other runs out until it is done.
#include <signal.h>
#include <sys/types.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "integration/terraform_world.h"

using namespace xd::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The Terraform the lock file names as sharing the lock (written by xdeploy when it started it).
json lock_children(const TerraformWorld& w) {
  const auto note = json::parse(read_file(w.dir() / ".xdeploy/lock"), nullptr, false);
  return note.is_object() ? note.value("children", json::array()) : json::array();
}

// Finished calls of `subcommand` with exit code 0 (the call log gets a line when a call ends).
int clean_exits(const TerraformWorld& w, const std::string& subcommand) {
  int n = 0;
  for (const auto& c : w.calls())
    n += c.value("subcommand", "") == subcommand && c.value("exit_code", -1) == 0;
  return n;
}

}  // namespace

TEST_CASE("SIGKILL of xdeploy mid-apply: Terraform finishes, the next runs wait for it") {
  TerraformWorld w;
  w.xdeploy_json({"blue"});
  w.xdeploy_json({"teal"});
  // Every resource operation takes 4 s: the orphan is still busy while the checks below run.
  w.write_fake_config("1", 4000);
  ChildProcess run(w.spec({"promote", "green"}));
  // The apply that moves the static IP is in flight (its first operation started).
  REQUIRE(
      eventually([&] { return run.err_so_far().find("Destroying...") != std::string::npos; }, 60s));
  const json children = lock_children(w);
  REQUIRE(children.size() == 1);
  const int terraform_pid = children[0].value("pid", 0);
  CHECK_THAT(children[0].value("command", ""), Catch::Contains(" apply "));
  const int applies_done = clean_exits(w, "apply");
  run.signal(SIGKILL);
  REQUIRE(run.wait(10s));
  CHECK(run.result().exit_code == 128 + SIGKILL);

  // Meanwhile a new run is kept out (exit 5) and told what holds the lock and why.
  const auto blocked = w.xdeploy({"cleanup"});
  INFO(blocked.err);
  CHECK(blocked.exit_code == 5);
  CHECK_THAT(blocked.err, Catch::Contains("the deploy lock is still held by `" +
                                          children[0].value("command", "") + "`"));
  CHECK_THAT(blocked.err, Catch::Contains("(pid " + std::to_string(terraform_pid) + ")"));
  CHECK_THAT(blocked.err, Catch::Contains("`promote green`"));
  CHECK_THAT(blocked.err, Catch::Contains("which is gone (killed?)"));
  CHECK_THAT(blocked.err, Catch::Contains("Terraform from a killed run is finishing"));
  CHECK(clean_exits(w, "apply") == applies_done);  // it really was still running

  // The orphaned apply runs to completion: exit 0 in the call log, the IP on green, its
  // state lock released.
  REQUIRE(eventually([&] { return clean_exits(w, "apply") == applies_done + 1; }, 60s));
  CHECK_FALSE(std::filesystem::exists(w.dir() / ".terraform.tfstate.lock.info"));
  w.write_fake_config("1", 0);
  // A queued run starts as soon as the orphan (and the lock with it) is gone, then `status`
  // reads a consistent state: the promote's last apply did finish.
  const auto next = w.xdeploy_json({"promote", "green", "--lock-wait", "60s"});
  CHECK(next["to"]["active"] == "green");
  const auto s = w.status();
  INFO(s.dump());
  CHECK(s["deployment"]["active"] == "green");
  // Read from the state the orphan's apply left: green holds the static IP and answers on
  // it; blue's address changed when the IP left it and nobody has read it since, so it is
  // reported unknown, never the stale one (`status --refresh` reads it).
  CHECK(s["slots"]["green"]["health_url"] == w.ip->url());
  CHECK(s["slots"]["blue"]["health_url"] == "");
}
