#include "xdeploy/lock/deploy_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/scoped_temp_dir.h"
#include "xdeploy/fs/atomic_file.h"

using xd::testing::ScopedTempDir;

namespace xd {
namespace {

using namespace std::chrono_literals;

// Another process that takes the lock, says so, and lets go when told to
// (or dies when killed). Results come back through pipes, not assertions.
class LockHolderProcess {
 public:
  explicit LockHolderProcess(const std::filesystem::path& lock_file,
                             std::chrono::milliseconds hold_after_release_request = 0ms) {
    REQUIRE(pipe(ready_) == 0);
    REQUIRE(pipe(release_) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      DeployLock::Error error;
      auto lock =
          DeployLock::acquire(lock_file, current_process_holder("promote green"), 0ms, &error);
      const char status = lock ? 'L' : 'F';
      [[maybe_unused]] auto w = write(ready_[1], &status, 1);
      char byte;
      [[maybe_unused]] auto r = read(release_[0], &byte, 1);
      usleep(static_cast<useconds_t>(hold_after_release_request.count() * 1000));
      lock.reset();
      _exit(0);
    }
    close(ready_[1]);
    close(release_[0]);
    char status = 0;
    REQUIRE(read(ready_[0], &status, 1) == 1);
    REQUIRE(status == 'L');
  }
  ~LockHolderProcess() {
    close(ready_[0]);
    close(release_[1]);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }
  void release() {
    const char byte = 'x';
    REQUIRE(write(release_[1], &byte, 1) == 1);
  }
  void kill_hard() {
    REQUIRE(kill(pid_, SIGKILL) == 0);
    int status = 0;
    REQUIRE(waitpid(pid_, &status, 0) == pid_);
    REQUIRE(WIFSIGNALED(status));
    pid_ = -1;
  }
  int pid() const { return pid_; }

 private:
  int ready_[2]{};
  int release_[2]{};
  pid_t pid_ = -1;
};

}  // namespace

TEST_CASE("the lock is taken, records its holder, and is released on destruction") {
  ScopedTempDir dir;
  const auto file = dir / ".xdeploy/lock";
  const auto me = current_process_holder("deploy blue");
  CHECK(me.pid == getpid());
  CHECK_FALSE(me.user.empty());
  CHECK_FALSE(me.host.empty());
  REQUIRE(me.started_at.size() == 20);  // 2026-01-02T03:04:05Z
  CHECK(me.started_at[4] == '-');
  CHECK(me.started_at[10] == 'T');
  CHECK(me.started_at.back() == 'Z');
  {
    DeployLock::Error error;
    auto lock = DeployLock::acquire(file, me, 0ms, &error);
    REQUIRE(lock.has_value());
    CHECK(error.message.empty());
    const auto json = nlohmann::json::parse(*read_text_file(file));
    CHECK(json["pid"] == getpid());
    CHECK(json["verb"] == "deploy blue");
    CHECK(json["user"] == me.user);

    // Even this same process cannot take it twice (each open() is a separate lock).
    DeployLock::Error second;
    CHECK_FALSE(DeployLock::acquire(file, me, 0ms, &second).has_value());
    CHECK(second.busy);
    REQUIRE(second.holder.has_value());
    CHECK(second.holder->pid == getpid());

    DeployLock moved = std::move(*lock);  // moving keeps it held
    lock.reset();
    CHECK_FALSE(DeployLock::acquire(file, me, 0ms, &second).has_value());
  }
  CHECK(read_text_file(file) == "");  // holder note cleared on release
  DeployLock::Error error;
  CHECK(DeployLock::acquire(file, me, 0ms, &error).has_value());
}

TEST_CASE("a second process is told who holds the lock") {
  ScopedTempDir dir;
  const auto file = dir / "lock";
  LockHolderProcess other(file);
  DeployLock::Error error;
  auto lock = DeployLock::acquire(file, current_process_holder("rollback"), 0ms, &error);
  CHECK_FALSE(lock.has_value());
  CHECK(error.busy);
  REQUIRE(error.holder.has_value());
  CHECK(error.holder->pid == other.pid());
  CHECK(error.holder->verb == "promote green");
  CHECK(error.message ==
        "another xdeploy holds the deploy lock " + file.string() + ": " + error.holder->describe());
  const std::string described = error.holder->describe();
  CHECK_THAT(described, Catch::StartsWith("pid " + std::to_string(other.pid()) + " (" +
                                          error.holder->user + "@" + error.holder->host));
  CHECK_THAT(described, Catch::Contains(", `promote green`, since 20"));
  CHECK_THAT(described, Catch::EndsWith("Z)"));
  other.release();
}

TEST_CASE("waiting succeeds once the holder lets go; a short wait reports it still held") {
  ScopedTempDir dir;
  const auto file = dir / "lock";
  LockHolderProcess other(file, 300ms);  // keeps it 300 ms after being asked
  DeployLock::Error error;
  CHECK_FALSE(DeployLock::acquire(file, current_process_holder("deploy"), 100ms, &error));
  CHECK(error.busy);
  CHECK_THAT(error.message, Catch::Contains("; still held after waiting"));

  other.release();
  auto lock = DeployLock::acquire(file, current_process_holder("deploy"), 5000ms, &error);
  REQUIRE(lock.has_value());
  CHECK(nlohmann::json::parse(*read_text_file(file))["pid"] == getpid());
}

TEST_CASE("a holder killed by SIGKILL leaves no stale lock") {
  ScopedTempDir dir;
  const auto file = dir / "lock";
  LockHolderProcess other(file);
  const int dead_pid = other.pid();
  other.kill_hard();
  CHECK(nlohmann::json::parse(*read_text_file(file))["pid"] == dead_pid);  // note left behind...
  DeployLock::Error error;
  auto lock = DeployLock::acquire(file, current_process_holder("deploy"), 0ms, &error);
  REQUIRE(lock.has_value());  // ...but the kernel dropped the lock itself
  CHECK(nlohmann::json::parse(*read_text_file(file))["pid"] == getpid());
}

TEST_CASE("the wait stops early when interrupted") {
  ScopedTempDir dir;
  const auto file = dir / "lock";
  auto held = DeployLock::acquire(file, current_process_holder("deploy"), 0ms, nullptr);
  REQUIRE(held.has_value());
  int asked = 0;
  DeployLock::Error error;
  const auto start = std::chrono::steady_clock::now();
  auto lock = DeployLock::acquire(file, current_process_holder("deploy"), 60s, &error,
                                  [&] { return ++asked >= 3; });
  CHECK_FALSE(lock.has_value());
  CHECK(asked == 3);
  CHECK(std::chrono::steady_clock::now() - start < 30s);
  CHECK(error.busy);
  CHECK(error.interrupted);  // the caller exits 130, not 5 ("locked")
  CHECK_THAT(error.message, Catch::EndsWith("; stopped waiting for it (interrupted)"));

  DeployLock::Error timed_out;
  CHECK_FALSE(DeployLock::acquire(file, current_process_holder("deploy"), 0ms, &timed_out,
                                  [] { return false; }));
  CHECK(timed_out.busy);
  CHECK_FALSE(timed_out.interrupted);
}

TEST_CASE("an unreadable holder note and unusable paths are reported clearly") {
  ScopedTempDir dir;
  const auto file = dir / "lock";
  std::ofstream(file) << "garbage";
  const int fd = open(file.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(flock(fd, LOCK_EX) == 0);  // a holder that never wrote its note
  DeployLock::Error error;
  CHECK_FALSE(DeployLock::acquire(file, current_process_holder("deploy"), 0ms, &error));
  CHECK(error.busy);
  CHECK_FALSE(error.holder.has_value());
  CHECK_THAT(error.message, Catch::EndsWith(": another process (its details are not readable)"));
  CHECK(read_text_file(file) == "garbage");  // the loser wrote nothing
  close(fd);

  std::ofstream(dir / "plain-file") << "x";
  CHECK_FALSE(
      DeployLock::acquire(dir / "plain-file/lock", current_process_holder("d"), 0ms, &error));
  CHECK_FALSE(error.busy);
  CHECK_THAT(error.message, Catch::StartsWith("cannot create " + (dir / "plain-file").string()));
  CHECK(read_text_file(dir / "plain-file") == "x");
}

TEST_CASE("the children sharing the lock are named in the note while they run") {
  ScopedTempDir dir;
  const auto file = dir / "lock";
  auto lock = DeployLock::acquire(file, current_process_holder("promote green"), 0ms, nullptr);
  REQUIRE(lock.has_value());
  CHECK(lock->fd() >= 0);
  lock->child_started(4242, "terraform -chdir=terraform apply -input=false .xdeploy/plans/x");
  lock->child_started(4343, "terraform -chdir=terraform plan");
  DeployLock::Error error;
  CHECK_FALSE(DeployLock::acquire(file, current_process_holder("cleanup"), 0ms, &error));
  REQUIRE(error.holder.has_value());
  REQUIRE(error.holder->children.size() == 2);
  CHECK(error.holder->children[0].pid == 4242);
  CHECK(error.holder->children[0].command ==
        "terraform -chdir=terraform apply -input=false .xdeploy/plans/x");
  CHECK_FALSE(error.orphaned);  // this process, the holder, is alive
  CHECK(error.who == error.holder->describe());

  lock->child_ended(4242);
  CHECK_FALSE(DeployLock::acquire(file, current_process_holder("cleanup"), 0ms, &error));
  REQUIRE(error.holder->children.size() == 1);
  CHECK(error.holder->children[0].pid == 4343);
  lock->child_ended(4343);
  CHECK_FALSE(DeployLock::acquire(file, current_process_holder("cleanup"), 0ms, &error));
  CHECK(error.holder->children.empty());
  CHECK(nlohmann::json::parse(*read_text_file(file)).count("children") == 0);
}

TEST_CASE("who_holds: the xdeploy, or what a killed xdeploy left running") {
  LockHolder h;
  h.pid = 100;
  h.user = "alice";
  h.host = "laptop";
  h.verb = "promote green";
  h.started_at = "2026-12-01T10:00:00Z";
  h.children = {{200, "terraform -chdir=tf apply -input=false .xdeploy/plans/switch.tfplan"}};
  bool orphaned = true;

  CHECK(who_holds(
            h, [](int) { return true; }, &orphaned) ==
        "pid 100 (alice@laptop, `promote green`, since 2026-12-01T10:00:00Z)");
  CHECK_FALSE(orphaned);

  CHECK(who_holds(
            h, [](int pid) { return pid == 200; }, &orphaned) ==
        "`terraform -chdir=tf apply -input=false .xdeploy/plans/switch.tfplan` (pid 200), started "
        "by xdeploy pid 100 (alice@laptop, `promote green`, since 2026-12-01T10:00:00Z), which is "
        "gone (killed?): it keeps the lock until it exits");
  CHECK(orphaned);

  orphaned = false;
  const auto nobody = who_holds(
      h, [](int) { return false; }, &orphaned);
  CHECK(orphaned);
  CHECK_THAT(nobody, Catch::StartsWith("a process that inherited it from xdeploy pid 100"));
  CHECK_THAT(nobody, Catch::Contains("provider plugins"));
}

TEST_CASE("a child holding the lock's descriptor keeps it after the holder is SIGKILLed") {
  // What xdeploy does for Terraform (ProcessSpec::inherit_fds), reduced to fork/exec.
  ScopedTempDir dir;
  const auto file = dir / "lock";
  const auto release = dir / "release";
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t holder = fork();
  REQUIRE(holder >= 0);
  if (holder == 0) {
    auto lock = DeployLock::acquire(file, current_process_holder("promote green"), 0ms, nullptr);
    if (!lock) _exit(1);
    const pid_t child = fork();
    if (child == 0) {
      fcntl(lock->fd(), F_SETFD, 0);  // keep it across exec
      const std::string script = "while [ ! -e '" + release.string() + "' ]; do sleep 0.01; done";
      execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    lock->child_started(child, "sh -c wait-for-release");
    [[maybe_unused]] auto w = write(ready[1], &child, sizeof child);
    pause();  // until killed
    _exit(0);
  }
  close(ready[1]);
  pid_t child = 0;
  REQUIRE(read(ready[0], &child, sizeof child) == static_cast<ssize_t>(sizeof child));
  close(ready[0]);
  REQUIRE(kill(holder, SIGKILL) == 0);
  REQUIRE(waitpid(holder, nullptr, 0) == holder);

  DeployLock::Error error;
  CHECK_FALSE(DeployLock::acquire(file, current_process_holder("cleanup"), 0ms, &error));
  CHECK(error.busy);
  CHECK(error.orphaned);
  CHECK_THAT(error.who, Catch::StartsWith("`sh -c wait-for-release` (pid " + std::to_string(child) +
                                          "), started by xdeploy pid " + std::to_string(holder)));
  CHECK_THAT(error.message, Catch::StartsWith("the deploy lock " + file.string() + " is held by"));

  std::ofstream(release) << "x";
  // The orphan is not our child: wait for the lock itself to come free.
  auto lock = DeployLock::acquire(file, current_process_holder("cleanup"), 20s, &error);
  CHECK(lock.has_value());
}

}  // namespace xd
