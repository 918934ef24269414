#include "xdeploy/backend/local/process_identity.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "detached_process.h"
#include "local_test_support.h"
#include "support/scoped_temp_dir.h"
#include "xdeploy/fs/atomic_file.h"

using xd::testing::ScopedTempDir;

using namespace xd;
using xd::testing::detached;
using namespace std::chrono_literals;

TEST_CASE("our own process is alive under its identity, not under another start time") {
  const auto me = identify_process(getpid());
  REQUIRE(me);
  CHECK(is_alive(*me));
  CHECK_FALSE(is_alive(ProcessIdentity{me->pid, me->start_time + 1}));
  CHECK_FALSE(is_alive(ProcessIdentity{0, 0}));
}

TEST_CASE("a short-lived child is alive while it runs and stale once it exited") {
  int go[2];
  REQUIRE(pipe(go) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(go[1]);
    char byte;
    (void)!read(go[0], &byte, 1);  // runs until told to exit
    _exit(0);
  }
  close(go[0]);
  const auto id = identify_process(child);
  REQUIRE(id);
  CHECK(is_alive(*id));
  close(go[1]);  // the child exits; unreaped it is a zombie, which is not "alive"
  for (int i = 0; i < 200 && is_alive(*id); ++i) std::this_thread::sleep_for(5ms);
  CHECK_FALSE(is_alive(*id));
  int status = 0;
  waitpid(child, &status, 0);
  CHECK_FALSE(is_alive(*id));
  CHECK_FALSE(identify_process(child));
}

TEST_CASE("stop_process escalates to SIGKILL after the grace for a process ignoring SIGTERM") {
  ScopedTempDir dir("xd-stop");
  const auto spawned = spawn_detached(
      detached({"/bin/sh", "-c", "trap '' TERM; echo ready; exec sleep 30"}, dir / "log"));
  REQUIRE(spawned.process);
  // "ready" is printed after the trap is installed: wait for it, not for a guessed time.
  for (int i = 0;
       i < 3000 && read_text_file(dir / "log").value_or("").find("ready") == std::string::npos; ++i)
    std::this_thread::sleep_for(10ms);
  REQUIRE(read_text_file(dir / "log").value_or("").find("ready") != std::string::npos);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(stop_process(*spawned.process, 300ms));
  CHECK(std::chrono::steady_clock::now() - t0 >= 300ms);
  CHECK_FALSE(is_alive(*spawned.process));
}

TEST_CASE("stop_process never signals a pid whose start time does not match") {
  ScopedTempDir dir("xd-stop");
  const auto spawned = spawn_detached(detached({"sleep", "30"}, dir / "log"));
  REQUIRE(spawned.process);
  const ProcessIdentity impostor{spawned.process->pid, spawned.process->start_time + 1};
  CHECK(stop_process(impostor, 100ms));  // "gone" as far as that identity goes
  std::this_thread::sleep_for(100ms);
  CHECK(is_alive(*spawned.process));  // the real process was not touched
  CHECK(stop_process(*spawned.process, 2000ms));
}

TEST_CASE("a process is found again by its environment marker") {
  ScopedTempDir dir("xd-marker");
  const std::string marker = "XDEPLOY_TEST_MARKER=" + dir.path().string();
  CHECK_FALSE(find_process_by_marker(marker));
  const auto spawned = spawn_detached(detached({"sleep", "30"}, dir / "log", {}, {marker}));
  REQUIRE(spawned.process);
  const auto found = find_process_by_marker(marker);
  REQUIRE(found);
  CHECK(*found == *spawned.process);
  CHECK(process_program_name(found->pid) == "sleep");
  CHECK(stop_process(*spawned.process, 2000ms));
  CHECK_FALSE(find_process_by_marker(marker));
}
