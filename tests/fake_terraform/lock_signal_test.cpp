// State lock contention between two real processes, and SIGINT/SIGTERM during a slow apply.
#include <signal.h>

#include <catch2/catch.hpp>

#include "test_support/fake_tf_harness.h"
#include "test_support/health_server.h"

using namespace xd::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {
int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("a second process waits for the state lock, or fails with the lock error block") {
  HealthServer server;
  Workdir w;
  // 1 s per resource: the holder keeps the lock for ~10 s, so the three plans below (each
  // a new process, slow under a sanitizer on a loaded machine) all meet it held.
  w.fake_config(health_config(server.port(), 1000));
  REQUIRE(w.tf({"init"}).exit_code == 0);
  FakeProcess holder({"apply", "-auto-approve", "-var=deploy=blue", "-var=verified=blue"},
                     w.path());
  REQUIRE(eventually([&] { return w.exists(".terraform.tfstate.lock.info"); }, 5s));
  json info = json::parse(w.read(".terraform.tfstate.lock.info"));
  CHECK(info["Operation"] == "OperationTypeApply");

  RunResult refused = w.tf({"plan", "-no-color", "-var=deploy=blue"});
  CHECK(refused.exit_code == 1);
  CHECK(has(refused.err, "Error: Error acquiring the state lock"));
  CHECK(has(refused.err, "Lock Info:\n  ID:        " + info["ID"].get<std::string>()));
  CHECK(has(refused.err, "  Path:      terraform.tfstate\n  Operation: OperationTypeApply\n"));
  CHECK(has(refused.err, "  Version:   1.15.9\n"));
  CHECK(
      has(refused.err, "Terraform acquires a state lock to protect the state from being written"));

  RunResult unlocked = w.tf({"plan", "-lock=false", "-var=deploy=blue"});
  CHECK(unlocked.exit_code == 0);

  RunResult waited = w.tf({"plan", "-no-color", "-lock-timeout=60s", "-var=deploy=blue"});
  CHECK(waited.exit_code == 0);
  CHECK(has(waited.out, "Acquiring state lock. This may take a few moments..."));
  RunResult done = holder.wait();
  CHECK(done.exit_code == 0);
  CHECK_FALSE(w.exists(".terraform.tfstate.lock.info"));
}

TEST_CASE("SIGINT mid-apply: the running operation finishes, state is truthful, exit 1") {
  HealthServer server;
  Workdir w;
  w.fake_config(health_config(server.port(), 700));
  REQUIRE(w.tf({"init"}).exit_code == 0);
  FakeProcess apply(
      {"apply", "-auto-approve", "-no-color", "-var=deploy=blue", "-var=verified=blue"}, w.path());
  REQUIRE(apply.wait_for_output("Creation complete", 10s));
  apply.signal(SIGINT);
  RunResult r = apply.wait(20s);
  CHECK(r.exit_code == 1);
  CHECK(has(r.out,
            "Interrupt received.\nPlease wait for Terraform to exit or data loss may "
            "occur.\nGracefully shutting down..."));
  CHECK_FALSE(has(r.out, "Apply complete!"));
  // Every "Creation complete" line is in state, and nothing else.
  auto addresses = state_addresses(w.state());
  int completed = count(r.out, "Creation complete") + count(r.out, "Read complete");
  CHECK(completed >= 1);
  CHECK(completed < 6);
  CHECK(static_cast<int>(addresses.size()) == completed);
  for (const auto& a : addresses)
    CHECK((has(r.out, a + ": Creation complete") || has(r.out, a + ": Read complete")));
  CHECK(count(r.out, ": Creating...") == count(r.out, "Creation complete"));
  CHECK_FALSE(w.exists(".terraform.tfstate.lock.info"));
  CHECK(w.calls().back()["signals"] == json::array({"SIGINT"}));
  CHECK(w.calls().back()["exit_code"] == 1);
  // The interrupted apply can be finished later.
  CHECK(w.tf({"apply", "-auto-approve", "-var=deploy=blue", "-var=verified=blue"}).exit_code == 0);
}

TEST_CASE("SIGTERM is handled like SIGINT") {
  HealthServer server;
  Workdir w;
  w.fake_config(health_config(server.port(), 500));
  REQUIRE(w.tf({"init"}).exit_code == 0);
  FakeProcess apply(
      {"apply", "-auto-approve", "-no-color", "-var=deploy=blue", "-var=verified=blue"}, w.path());
  REQUIRE(apply.wait_for_output("Creating...", 10s));
  apply.signal(SIGTERM);
  RunResult r = apply.wait(20s);
  CHECK(r.exit_code == 1);
  CHECK(has(r.out, "Gracefully shutting down..."));
  CHECK(state_addresses(w.state()).size() == 1);
  CHECK(w.calls().back()["signals"] == json::array({"SIGTERM"}));
}

TEST_CASE("a second interrupt exits 1 at once with the data-loss warning") {
  HealthServer server;
  Workdir w;
  w.fake_config(health_config(server.port(), 60000));
  REQUIRE(w.tf({"init"}).exit_code == 0);
  FakeProcess apply(
      {"apply", "-auto-approve", "-no-color", "-var=deploy=blue", "-var=verified=blue"}, w.path());
  REQUIRE(apply.wait_for_output("Creating...", 10s));
  apply.signal(SIGINT);
  REQUIRE(apply.wait_for_output("Gracefully shutting down", 5s));
  apply.signal(SIGINT);
  RunResult r = apply.wait(5s);
  CHECK(r.exit_code == 1);
  CHECK(
      has(r.err,
          "Two interrupts received. Exiting immediately. Note that data loss may have occurred."));
  CHECK_FALSE(has(r.out, "Creation complete"));
  CHECK(w.calls().back()["signals"] == json::array({"SIGINT", "SIGINT"}));
}
