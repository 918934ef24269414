#include "xdeploy/process/subprocess.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "support/scoped_temp_dir.h"
#include "xdeploy/process/interrupts.h"

using xd::testing::ScopedTempDir;

namespace xd {
namespace {

struct Captured {
  std::vector<std::string> out;
  std::vector<std::string> err;
  ProcessResult result;
};

Captured run_with(const ProcessSpec& spec,
                  const std::function<void(std::string_view)>& on_line = {},
                  std::optional<HookTimeout> timeout = {}) {
  Captured c;
  RealCommandRunner runner = timeout ? RealCommandRunner(*timeout) : RealCommandRunner();
  c.result = runner.run(
      spec,
      [&](std::string_view line) {
        c.out.emplace_back(line);
        if (on_line) on_line(line);
      },
      [&](std::string_view line) { c.err.emplace_back(line); });
  return c;
}

Captured run_sh(const std::string& script, std::vector<std::string> args = {},
                const std::function<void(std::string_view)>& on_line = {}) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script, "sh"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  return run_with(spec, on_line);
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using Lines = std::vector<std::string>;

// Polls `condition` until it holds or `limit` passes (for processes we cannot wait() for).
bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

TEST_CASE("stdout and stderr lines reach their sinks, partial last line flushed at EOF") {
  const auto c = run_sh("printf 'a\\nb\\n'; printf 'e1\\n' >&2; printf 'c\\n\\n'; printf 'tail'");
  REQUIRE(c.result.started);
  CHECK(c.result.exit_code == 0);
  CHECK(c.out == Lines{"a", "b", "c", "", "tail"});
  CHECK(c.err == Lines{"e1"});
  CHECK(c.result.stdout_text == "a\nb\nc\n\ntail");
  CHECK(c.result.stderr_text == "e1\n");
  CHECK(c.result.interrupts_forwarded == 0);
}

TEST_CASE("lines are delivered while the child still runs") {
  // The child only prints "second" once the sink has seen "first" (it waits
  // for a file the sink creates), so buffering until exit would fail here.
  ScopedTempDir dir;
  const auto flag = dir / "seen-first";
  const auto c = run_sh(
      "echo first; i=0; while [ ! -e \"$1\" ]; do i=$((i+1)); "
      "[ $i -gt 300 ] && { echo 'never streamed'; exit 9; }; sleep 0.01; done; echo second",
      {flag.string()}, [&](std::string_view line) {
        if (line == "first") std::ofstream(flag) << "x";
      });
  CHECK(c.out == Lines{"first", "second"});
  CHECK(c.result.exit_code == 0);
}

TEST_CASE("a large output is read completely") {
  const auto c = run_sh("i=0; while [ $i -lt 5000 ]; do echo \"line $i\"; i=$((i+1)); done");
  REQUIRE(c.out.size() == 5000);
  CHECK(c.out.front() == "line 0");
  CHECK(c.out.back() == "line 4999");
}

TEST_CASE("exit codes: status, or 128+signal") {
  CHECK(run_sh("exit 3").result.exit_code == 3);
  CHECK(run_sh("kill -TERM $$").result.exit_code == 128 + SIGTERM);
  CHECK(run_sh("kill -KILL $$").result.exit_code == 128 + SIGKILL);
}

TEST_CASE("a command that cannot be executed is reported, not started") {
  ProcessSpec spec;
  spec.argv = {"xd-no-such-program-1f3a"};
  auto c = run_with(spec);
  CHECK_FALSE(c.result.started);
  CHECK(c.result.error == "cannot run \"xd-no-such-program-1f3a\": No such file or directory");

  ScopedTempDir dir;
  const auto not_executable = dir / "script";
  std::ofstream(not_executable) << "#!/bin/sh\necho hi\n";
  chmod(not_executable.c_str(), 0644);
  spec.argv = {not_executable.string()};
  c = run_with(spec);
  CHECK_FALSE(c.result.started);
  CHECK(c.result.error == "cannot run \"" + not_executable.string() + "\": Permission denied");

  spec.argv = {"/bin/sh", "-c", "true"};
  spec.cwd = (dir / "missing").string();
  c = run_with(spec);
  CHECK_FALSE(c.result.started);
  CHECK(c.result.error == "cannot run \"/bin/sh\": cannot change directory to \"" + spec.cwd +
                              "\": No such file or directory");

  spec = {};
  c = run_with(spec);
  CHECK_FALSE(c.result.started);
  CHECK(c.result.error == "cannot run \"\": empty command");
}

TEST_CASE("argv[0] is looked up on PATH, the child's PATH included") {
  ScopedTempDir dir;
  const auto tool = dir / "xd-path-tool";
  std::ofstream(tool) << "#!/bin/sh\necho from-path \"$1\"\n";
  chmod(tool.c_str(), 0755);
  ProcessSpec spec;
  spec.argv = {"xd-path-tool", "arg with space"};
  spec.env = {{"PATH", dir.path().string() + ":/usr/bin:/bin"}};
  const auto c = run_with(spec);
  REQUIRE(c.result.started);
  CHECK(c.out == Lines{"from-path arg with space"});
}

TEST_CASE("environment: inherited plus extra variables, which win") {
  setenv("XD_INHERITED_VAR", "inherited", 1);
  setenv("XD_OVERRIDDEN_VAR", "old", 1);
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c",
               "printf '%s|%s|%s\\n' \"$XD_INHERITED_VAR\" \"$XD_OVERRIDDEN_VAR\" \"$TF_VAR_x\""};
  spec.env = {{"XD_OVERRIDDEN_VAR", "new"}, {"TF_VAR_x", "secret value"}};
  const auto c = run_with(spec);
  CHECK(c.out == Lines{"inherited|new|secret value"});
  unsetenv("XD_INHERITED_VAR");
  unsetenv("XD_OVERRIDDEN_VAR");
}

TEST_CASE("cwd, stdin from /dev/null, own process group") {
  ScopedTempDir dir;
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c",
               "pwd -P; readlink /proc/$$/fd/0; cat; echo $$; cut -d' ' -f5 /proc/$$/stat"};
  spec.cwd = dir.path().string();
  const auto c = run_with(spec);
  REQUIRE(c.out.size() == 4);  // `cat` got EOF at once and printed nothing
  CHECK(c.out[0] == dir.path().string());
  CHECK(c.out[1] == "/dev/null");
  CHECK(c.out[2] == c.out[3]);  // process group id == its own pid
  CHECK(c.out[3] != std::to_string(getpgrp()));
}

TEST_CASE("each interrupt is forwarded to the child as exactly one SIGINT") {
  ScopedTempDir dir;
  const auto log = dir / "signals";
  InterruptScope scope;
  // The child logs each SIGINT; after the second it keeps running a little to
  // catch a late duplicate, then reports the count. (Two kill()s issued back
  // to back coalesce in the kernel, so this cannot see every duplicate; it does
  // see two interrupts arrive as two SIGINTs, in step with the parent.)
  const std::string script = R"(
    n=0
    trap 'n=$((n+1)); echo "INT $n" >> "$1"; echo "got $n"' INT
    echo ready
    i=0
    while [ $i -lt 200 ]; do
      [ "$n" -ge 2 ] && break
      sleep 0.02 >/dev/null 2>&1 & wait $!
      i=$((i+1))
    done
    j=0
    while [ $j -lt 10 ]; do sleep 0.02 >/dev/null 2>&1 & wait $!; j=$((j+1)); done
    echo "done $n"
  )";
  const int before = interrupt_count();
  const auto c = run_sh(script, {log.string()}, [](std::string_view line) {
    if (line == "ready") raise(SIGINT);
    if (line == "got 1") raise(SIGTERM);  // SIGTERM counts too, forwarded as SIGINT
  });
  REQUIRE(c.result.started);
  CHECK(interrupt_count() == before + 2);
  CHECK(c.result.interrupts_forwarded == 2);
  CHECK(c.out == Lines{"ready", "got 1", "got 2", "done 2"});
  CHECK(slurp(log) == "INT 1\nINT 2\n");
  CHECK(c.result.exit_code == 0);  // neither xdeploy nor the child died
}

TEST_CASE("an interrupt between the caller's look and the spawn reaches the child at once") {
  // An apply started right after a Ctrl-C that the caller had not seen yet: the child
  // gets that SIGINT (here it dies of it) instead of running until a second Ctrl-C.
  InterruptScope scope;
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "i=0; while [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done"};
  spec.interrupts_acknowledged = interrupt_count();
  raise(SIGINT);
  const auto forwarded = run_with(spec, {});
  CHECK(forwarded.result.interrupts_forwarded == 1);
  CHECK(forwarded.result.exit_code == 128 + SIGINT);
  // Unset: the interrupts before the spawn are not the child's (it runs to its end).
  spec.argv = {"/bin/sh", "-c", "exit 3"};
  spec.interrupts_acknowledged.reset();
  const auto own = run_with(spec, {});
  CHECK(own.result.interrupts_forwarded == 0);
  CHECK(own.result.exit_code == 3);
}

TEST_CASE("a child that ignores SIGINT is waited for, never killed") {
  InterruptScope scope;
  const std::string script = R"(
    trap '' INT
    echo ready
    i=0
    while [ $i -lt 15 ]; do sleep 0.02; i=$((i+1)); done
    echo finished
    exit 7
  )";
  const auto c = run_sh(script, {}, [](std::string_view line) {
    if (line == "ready") raise(SIGINT);
  });
  CHECK(c.result.interrupts_forwarded == 1);
  CHECK(c.out == Lines{"ready", "finished"});
  CHECK(c.result.exit_code == 7);
}

TEST_CASE("a deadline that is not reached does nothing, and ends with its scope") {
  const int before = interrupt_count();
  { DeadlineScope deadline(std::chrono::minutes(10), std::chrono::minutes(10)); }
  { DeadlineScope none(std::nullopt, std::chrono::minutes(10)); }
  CHECK(interrupt_count() == before);
  CHECK_FALSE(timed_out());
}

TEST_CASE("a deadline is one interrupt, then one more after the grace; never a kill") {
  InterruptScope scope;
  // Like Terraform busy finishing an operation: the first SIGINT does not stop it.
  const std::string script = R"(
    n=0
    trap 'n=$((n+1)); echo "got $n"' INT
    echo ready
    i=0
    while [ $i -lt 500 ]; do
      [ "$n" -ge 2 ] && break
      sleep 0.02 >/dev/null 2>&1 & wait $!
      i=$((i+1))
    done
    echo "done $n"
  )";
  const int before = interrupt_count();
  // 1 s: the shell has long installed its trap (a SIGINT before that would kill it).
  DeadlineScope deadline(std::chrono::seconds(1), std::chrono::milliseconds(300));
  const auto c = run_sh(script);
  CHECK(timed_out());
  CHECK(interrupt_count() == before + 2);
  CHECK(c.result.interrupts_forwarded == 2);
  CHECK(c.out == Lines{"ready", "got 1", "got 2", "done 2"});
  CHECK(c.result.exit_code == 0);
}

TEST_CASE("the child outlives a runner that is SIGKILLed, and finishes its work") {
  // What happens to Terraform when xdeploy is killed mid-apply. With pipes, the
  // child's next write after the reader died raised SIGPIPE and killed it before
  // it could finish (Terraform: no final state write, its lock left behind).
  ScopedTempDir dir;
  const auto go = dir / "go";
  const auto finished = dir / "finished";
  const auto pid_file = dir / "child-pid";
  const std::string script = R"(
    echo $$ > "$3.tmp"; mv "$3.tmp" "$3"
    while [ ! -e "$1" ]; do sleep 0.01; done
    i=0
    while [ $i -lt 2000 ]; do echo "line $i"; echo "err $i" >&2; i=$((i+1)); done
    echo done > "$2"
  )";
  const pid_t runner = fork();
  REQUIRE(runner >= 0);
  if (runner == 0) {
    // The "xdeploy": runs the child and streams its output, until it is killed.
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", script, "sh", go.string(), finished.string(), pid_file.string()};
    spec.output_dir = dir.path().string();
    RealCommandRunner().run(spec, {}, {});
    _exit(0);
  }
  REQUIRE(eventually([&] { return std::filesystem::exists(pid_file); }, std::chrono::seconds(20)));
  REQUIRE(kill(runner, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(runner, &status, 0) == runner);
  REQUIRE(WIFSIGNALED(status));
  std::ofstream(go) << "x";  // only now does the orphan write anything
  CHECK(eventually([&] { return std::filesystem::exists(finished); }, std::chrono::seconds(20)));
  CHECK(slurp(finished) == "done\n");
  // The output files were unnamed: nothing is left in the directory but the test's own files.
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == Lines{"child-pid", "finished", "go"});
}

TEST_CASE("output goes to unnamed 0600 files in output_dir, else in the temp dir") {
  ScopedTempDir dir;
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c",
               "stat -L -c %a /proc/$$/fd/1 /proc/$$/fd/2; readlink /proc/$$/fd/1; ls -A \"$1\"",
               "sh", dir.path().string()};
  spec.output_dir = dir.path().string();
  auto c = run_with(spec);
  REQUIRE(c.out.size() == 3);  // `ls -A` printed nothing: the files have no name
  CHECK(c.out[0] == "600");
  CHECK(c.out[1] == "600");
  CHECK(c.out[2].rfind(dir.path().string() + "/", 0) == 0);
  CHECK_THAT(c.out[2], Catch::EndsWith("(deleted)"));

  // A state dir that does not exist yet (`status` before any deploy) is no reason to fail.
  spec.output_dir = (dir / "missing").string();
  spec.argv = {"/bin/sh", "-c", "echo fine"};
  c = run_with(spec);
  CHECK(c.result.started);
  CHECK(c.out == Lines{"fine"});
}

TEST_CASE("inherit_fds: the child keeps exactly the descriptors it is handed") {
  ScopedTempDir dir;
  // Like the deploy lock: O_CLOEXEC and flock'ed by the parent.
  const int held = open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  const int other = open((dir / "other").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(held > 2);
  REQUIRE(other > 2);
  REQUIRE(flock(held, LOCK_EX | LOCK_NB) == 0);
  ProcessSpec spec;
  spec.argv = {"/bin/sh",
               "-c",
               "for fd in \"$1\" \"$2\"; do [ -e /proc/$$/fd/$fd ] && echo open || echo closed; "
               "done",
               "sh",
               std::to_string(held),
               std::to_string(other)};
  spec.inherit_fds = {held};
  int started_pid = 0;
  spec.on_started = [&](int pid) { started_pid = pid; };
  auto c = run_with(spec);
  CHECK(c.out == Lines{"open", "closed"});
  CHECK(started_pid > 0);

  // The flock belongs to the open file description: a child holding it keeps
  // it locked after the parent lets go of its own descriptor.
  spec.argv = {"/bin/sh", "-c", "echo ready; while [ ! -e \"$1\" ]; do sleep 0.01; done", "sh",
               (dir / "release").string()};
  spec.on_started = {};
  bool locked_by_child_alone = false;
  c = run_with(spec, [&](std::string_view line) {
    if (line != "ready") return;
    close(held);
    const int probe = open((dir / "lock").c_str(), O_RDWR | O_CLOEXEC);
    locked_by_child_alone = flock(probe, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(probe);
    std::ofstream(dir / "release") << "x";
  });
  CHECK(locked_by_child_alone);
  const int after = open((dir / "lock").c_str(), O_RDWR | O_CLOEXEC);
  CHECK(flock(after, LOCK_EX | LOCK_NB) == 0);  // both gone: free again
  close(after);
  close(other);
}

TEST_CASE("a background grandchild holding the output does not hang the runner") {
  // The child exits at once; the grandchild keeps stdout open for 30 s. It is
  // stopped afterwards (its pid comes on stderr): a test leaves no process behind.
  const auto c = run_sh("sleep 30 & echo parent-done; echo $! >&2");
  REQUIRE(c.err.size() == 1);
  CHECK(::kill(std::stoi(c.err[0]), SIGTERM) == 0);
  CHECK(c.out == Lines{"parent-done"});
  CHECK(c.result.exit_code == 0);
  CHECK(c.result.duration < std::chrono::seconds(10));
}

TEST_CASE("a hook timeout SIGTERMs the whole process group") {
  // The shell waits on a grandchild: both are in the group and both get the
  // SIGTERM, so the runner returns instead of waiting the 300 s.
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "echo started; sleep 300; echo never"};
  const auto c = run_with(spec, {}, HookTimeout{std::chrono::milliseconds(200)});
  CHECK(c.result.timed_out);
  CHECK(c.out == Lines{"started"});
  CHECK(c.result.exit_code == 128 + SIGTERM);
}

TEST_CASE("a child that ignores SIGTERM past its timeout is SIGKILLed after the grace") {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "trap '' TERM; echo started; while :; do sleep 0.05; done"};
  const auto c = run_with(
      spec, {}, HookTimeout{std::chrono::milliseconds(100), std::chrono::milliseconds(200)});
  CHECK(c.result.timed_out);
  CHECK(c.result.exit_code == 128 + SIGKILL);
}

TEST_CASE("a child that finishes within its timeout is untouched") {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "exit 3"};
  const auto c = run_with(spec, {}, HookTimeout{std::chrono::seconds(60)});
  CHECK_FALSE(c.result.timed_out);
  CHECK(c.result.exit_code == 3);
}

TEST_CASE("display_command quotes only what a shell would misread") {
  CHECK(display_command({"terraform", "-chdir=infra/x", "apply", "-var=slot=green"}) ==
        "terraform -chdir=infra/x apply -var=slot=green");
  CHECK(display_command({"echo", "a b", "", "it's", "$HOME", "x;y"}) ==
        "echo 'a b' '' 'it'\\''s' '$HOME' 'x;y'");
  CHECK(display_command({}).empty());
}

// The IP move's bound: one SIGINT, the first time the caller's condition holds (here: once
// the child said it started the dangerous part), never SIGKILL.
TEST_CASE("interrupt_when: one SIGINT once the condition holds, and the result says so") {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c",
               "trap 'echo interrupted; exit 1' INT; echo detaching; while :; do sleep 0.05; done"};
  bool detaching = false;
  int asked = 0;
  spec.interrupt_when = [&] {
    ++asked;
    return detaching;
  };
  auto c = run_with(spec, [&](std::string_view line) {
    if (line == "detaching") detaching = true;
  });
  CHECK(c.result.deadline_passed);
  CHECK(c.result.exit_code == 1);
  CHECK(c.result.interrupts_forwarded == 0);  // not a Ctrl-C: the caller tells them apart
  CHECK(c.out == Lines{"detaching", "interrupted"});
  CHECK(asked > 0);
}

}  // namespace xd
