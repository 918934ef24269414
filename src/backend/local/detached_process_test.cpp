#include "detached_process.h"
#include "local_test_support.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/scoped_temp_dir.h"
#include "xdeploy/fs/atomic_file.h"

using xd::testing::ScopedTempDir;

using namespace xd;
using xd::testing::detached;
using namespace std::chrono_literals;

namespace {

std::string wait_for_log(const std::filesystem::path& log, const std::string& needle) {
  for (int i = 0; i < 3000; ++i) {  // polls for up to 30 s: a loaded CI machine is slow
    auto text = read_text_file(log).value_or("");
    if (text.find(needle) != std::string::npos) return text;
    std::this_thread::sleep_for(10ms);
  }
  return read_text_file(log).value_or("");
}

long parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  char state;
  long ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

}  // namespace

TEST_CASE("a detached process is not our child, leads its own group and logs to the file") {
  ScopedTempDir dir("xd-spawn");
  const auto log = dir / "slot.log";
  std::ofstream(log) << "earlier line\n";
  const auto spawned =
      spawn_detached(detached({"/bin/sh", "-c", "echo out; echo err >&2; exec sleep 30"}, log));
  REQUIRE(spawned.error.empty());
  REQUIRE(spawned.process);
  const pid_t pid = spawned.process->pid;
  CHECK(parent_of(pid) != getpid());
  CHECK(getpgid(pid) == pid);
  CHECK(getsid(pid) != getsid(0));
  const auto text = wait_for_log(log, "err");
  CHECK_THAT(text, Catch::StartsWith("earlier line\n") && Catch::Contains("out") &&
                       Catch::Contains("err"));
  CHECK(stop_process(*spawned.process, 2000ms));
}

TEST_CASE("a detached process inherits none of our file descriptors") {
  ScopedTempDir dir("xd-spawn");
  // Deliberately without O_CLOEXEC, like a lock file; a high number so the
  // shell's own descriptors (the glob below opens the fd directory) never clash.
  const int opened = ::open("/dev/null", O_RDONLY);
  const int leaked = ::dup2(opened, 57);
  ::close(opened);
  REQUIRE(leaked > 2);
  const auto log = dir / "fds.log";
  // The child stays alive until the test stops it: spawn_detached identifies
  // the process after starting it, and a child that already exited cannot be.
  const auto spawned = spawn_detached(
      detached({"/bin/sh", "-c",
                "for f in /proc/$$/fd/*; do echo \"fd ${f##*/}\"; done; echo done; exec sleep 30"},
               log));
  ::close(leaked);
  INFO(spawned.error);
  REQUIRE(spawned.error.empty());
  REQUIRE(spawned.process);
  const auto text = wait_for_log(log, "done");
  CHECK_THAT(text, Catch::Contains("fd 0") && Catch::Contains("fd 1") && Catch::Contains("fd 2"));
  CHECK_THAT(text, !Catch::Contains("fd " + std::to_string(leaked) + "\n"));
  CHECK(stop_process(*spawned.process, 2000ms));
}

TEST_CASE("a program that cannot run is reported with the reason") {
  ScopedTempDir dir("xd-spawn");
  const auto missing = spawn_detached(detached({"no-such-program-xd"}, dir / "log"));
  CHECK_FALSE(missing.process);
  CHECK_THAT(missing.error,
             Catch::Contains("cannot find executable") && Catch::Contains("no-such-program-xd"));

  const auto not_exec = dir / "script";
  std::ofstream(not_exec) << "#!/bin/sh\n";
  const auto refused = spawn_detached(detached({not_exec.string()}, dir / "log"));
  CHECK_FALSE(refused.process);
  CHECK_THAT(refused.error, Catch::Contains(not_exec.string()));

  const auto quick =
      spawn_detached(detached({"/bin/sh", "-c", "echo boom; exit 3"}, dir / "quick.log"));
  if (!quick.process) CHECK_THAT(quick.error, Catch::Contains("exited at once"));
}

TEST_CASE("commands are quoted for humans") {
  CHECK(quote_command({"a", "b c", "it's"}) == "a 'b c' 'it'\\''s'");
}
