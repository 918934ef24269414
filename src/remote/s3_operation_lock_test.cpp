// The remote deploy lock against the emulator's S3 on 127.0.0.1: two "machines"
// are two clients (and two working dirs) sharing one bucket.
#include "xdeploy/remote/s3_operation_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <thread>

#include <catch2/catch.hpp>

#include "real_terraform/real_terraform.h"
#include "support/scoped_temp_dir.h"

using xd::testing::ScopedTempDir;

namespace xd {
namespace {

using namespace std::chrono_literals;
const std::string kKey = "app/terraform.tfstate.xdeploy/lock";

struct World {
  ScopedTempDir dir;
  xd::testing::AwsEmulator emu{{dir / "emu"}};
  World() { REQUIRE(client().create_bucket().ok()); }
  s3::Client client() const {
    return s3::Client({"state", "us-east-1", emu.endpoint(), true}, {"AKIA", "secret", "", "test"});
  }
  S3OperationLock lock(const std::string& ci = "", const std::string& wd = "/runner/a") const {
    S3LockOptions o;
    o.ci_job_url = ci;
    o.working_dir = wd;
    o.first_pause = 50ms;
    o.max_pause = 200ms;
    return S3OperationLock(client(), kKey, o);
  }
};

LockAttempt attempt(const std::string& verb, std::chrono::milliseconds wait = 0ms) {
  return {current_process_holder(verb), wait, {}, {}};
}

// Two machines on one bucket: A (in /runner/a, its CI job `a_ci`) holds the lock for
// `promote green`; B is in /runner/b.
struct TwoMachines : World {
  S3OperationLock a;
  S3OperationLock b = lock("", "/runner/b");
  std::unique_ptr<HeldLock> held;
  explicit TwoMachines(const std::string& a_ci = "") : a(lock(a_ci, "/runner/a")) {
    LockRefusal refusal;
    held = a.acquire(attempt("promote green"), &refusal);
    REQUIRE(held);
  }
};

int dead_pid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

}  // namespace

TEST_CASE("the lock is one object next to the state, naming its holder, deleted on release") {
  World w;
  auto lock = w.lock("https://ci.example/jobs/7");
  LockRefusal refusal;
  auto held = lock.acquire(attempt("promote green"), &refusal);
  REQUIRE(held);
  CHECK(lock.describe() == "s3://state/" + kKey);
  const auto seen = lock.inspect();
  REQUIRE(seen.held);
  REQUIRE(seen.holder);
  CHECK(seen.holder->verb == "promote green");
  CHECK(seen.holder->pid == getpid());
  CHECK(seen.holder->ci_job_url == "https://ci.example/jobs/7");
  CHECK(seen.holder->working_dir == "/runner/a");
  CHECK_THAT(seen.holder->describe(), Catch::EndsWith(", CI job https://ci.example/jobs/7)"));
  CHECK(held->release().empty());
  CHECK_FALSE(lock.inspect().held);
  CHECK(w.emu.state()["buckets"]["state"]["objects"].empty());
}

TEST_CASE("a second machine is refused at once, told who holds it and how to break a dead one") {
  TwoMachines m("https://ci.example/jobs/1");
  LockRefusal refusal;
  CHECK_FALSE(m.b.acquire(attempt("rollback"), &refusal));
  CHECK(refusal.busy);
  CHECK_FALSE(refusal.orphaned);
  CHECK_THAT(refusal.message,
             Catch::StartsWith("another xdeploy holds the deploy lock s3://state/" + kKey + ": "));
  CHECK_THAT(refusal.who, Catch::Contains("`promote green`"));
  CHECK_THAT(refusal.who, Catch::Contains("CI job https://ci.example/jobs/1"));
  CHECK_THAT(refusal.hint, Catch::Contains("`xdeploy unlock --force`"));
  // The refused run changed nothing: the holder's object is intact.
  CHECK(m.a.inspect().holder->verb == "promote green");
}

TEST_CASE("--lock-wait queues behind another machine's run and gets the lock when it ends") {
  TwoMachines m;
  LockRefusal refusal;
  CHECK_FALSE(m.b.acquire(attempt("rollback", 300ms), &refusal));
  CHECK_THAT(refusal.message, Catch::Contains("; still held after waiting"));
  auto waiter = std::async(std::launch::async, [&] {
    LockRefusal r;
    return m.b.acquire(attempt("rollback", 20s), &r);
  });
  std::this_thread::sleep_for(300ms);  // let it find the lock taken and start waiting
  CHECK(m.held->release().empty());
  auto second = waiter.get();
  REQUIRE(second);
  CHECK(m.b.inspect().holder->verb == "rollback");
}

TEST_CASE("a wait ends early when interrupted") {
  World w;
  auto a = w.lock();
  LockRefusal refusal;
  auto held = a.acquire(attempt("teal"), &refusal);
  REQUIRE(held);
  int asked = 0;
  LockAttempt ctrl_c = attempt("cleanup", 60s);
  ctrl_c.interrupted = [&] { return ++asked >= 2; };
  CHECK_FALSE(w.lock().acquire(ctrl_c, &refusal));
  CHECK(refusal.interrupted);
  CHECK_THAT(refusal.message, Catch::EndsWith("stopped waiting for it (interrupted)"));
}

TEST_CASE("a dead holder's lock stays until broken explicitly, and only the version shown") {
  World w;
  // What a killed runner leaves: its record, its pid gone.
  RemoteHolder gone{"feedface", dead_pid(),      "ci",
                    "runner-9", "promote green", "2026-12-06T09:00:00Z",
                    "",         "/runner/9",     std::nullopt};
  REQUIRE(w.client().put_if_absent(kKey, remote_holder_json(gone)).ok());
  auto lock = w.lock();
  LockRefusal refusal;
  CHECK_FALSE(lock.acquire(attempt("rollback", 400ms), &refusal));  // never expires by itself
  CHECK(refusal.busy);
  CHECK_THAT(refusal.who, Catch::StartsWith("ci@runner-9 (pid "));

  const auto seen = lock.inspect();
  REQUIRE(seen.held);
  // Someone else re-took it after we looked: breaking what we saw breaks nothing.
  REQUIRE(w.client().delete_if_match(kKey, seen.etag).ok());
  gone.verb = "cleanup";
  REQUIRE(w.client().put_if_absent(kKey, remote_holder_json(gone)).ok());
  CHECK_THAT(lock.break_lock(seen), Catch::Contains("changed since it was read"));
  CHECK(lock.inspect().holder->verb == "cleanup");

  CHECK(lock.break_lock(lock.inspect()).empty());
  CHECK_FALSE(lock.inspect().held);
  CHECK(lock.acquire(attempt("rollback"), &refusal));
}

TEST_CASE("a holder alive on this machine is never broken") {
  World w;
  auto lock = w.lock();
  const LocalLockIdentity here{current_boot_id(), 1, 2};
  LockAttempt mine = attempt("promote green");
  mine.local_lock = here;
  LockRefusal refusal;
  auto held = lock.acquire(mine, &refusal);
  REQUIRE(held);
  CHECK_THAT(lock.break_lock(lock.inspect()), Catch::Contains("its holder runs on this machine"));
  CHECK(lock.inspect().held);
}

TEST_CASE("the next run in the dead holder's working dir takes its lock over, and says so") {
  World w;
  const LocalLockIdentity dir_lock{current_boot_id(), 64769, 1234};
  RemoteHolder killed{"deadbeef", dead_pid(),      "dev",
                      "laptop",   "promote green", "2026-12-06T09:00:00Z",
                      "",         "/work/app",     dir_lock};
  REQUIRE(w.client().put_if_absent(kKey, remote_holder_json(killed)).ok());
  auto lock = w.lock();

  // Another working dir (another flock file) proves nothing: refused, named as killed.
  LockAttempt elsewhere = attempt("rollback");
  elsewhere.local_lock = LocalLockIdentity{current_boot_id(), 64769, 999};
  LockRefusal refusal;
  CHECK_FALSE(lock.acquire(elsewhere, &refusal));
  CHECK(refusal.orphaned);
  CHECK_THAT(refusal.who, Catch::EndsWith("which is gone (killed?)"));

  // The same flock (held by us now): the holder and its Terraform are gone.
  LockAttempt same = attempt("promote green");
  same.local_lock = dir_lock;
  auto held = lock.acquire(same, &refusal);
  REQUIRE(held);
  REQUIRE(held->notes().size() == 1);
  CHECK_THAT(held->notes()[0], Catch::StartsWith("took over the deploy lock s3://state/" + kKey +
                                                 " left by xdeploy dev@laptop"));
  CHECK(lock.inspect().holder->pid == getpid());
}

TEST_CASE("a lock broken while held is not deleted by its old holder, who is told") {
  TwoMachines m;
  REQUIRE(m.b.break_lock(m.b.inspect()).empty());  // someone ran unlock --force
  LockRefusal refusal;
  auto taken = m.b.acquire(attempt("rollback"), &refusal);
  REQUIRE(taken);
  const auto warnings = m.held->release();
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("was broken while this run held it"));
  CHECK_THAT(warnings[0], Catch::Contains("`rollback`"));
  CHECK(m.b.inspect().holder->verb == "rollback");  // B's lock survived A's release
}

TEST_CASE("S3 unreachable: an error, not a busy lock") {
  ScopedTempDir dir;
  s3::ClientOptions quick;
  quick.timeout = 2s;
  S3OperationLock lock(s3::Client({"state", "us-east-1", "http://127.0.0.1:9", true},
                                  {"AKIA", "secret", "", "test"}, quick),
                       kKey);
  LockRefusal refusal;
  CHECK_FALSE(lock.acquire(attempt("teal"), &refusal));
  CHECK_FALSE(refusal.busy);
  CHECK_THAT(refusal.message, Catch::StartsWith("cannot take the deploy lock: PUT s3://state/"));
  CHECK_THAT(refusal.message, !Catch::Contains("secret"));
}

}  // namespace xd
