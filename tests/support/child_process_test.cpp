#include "support/child_process.h"

#include <signal.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/scoped_temp_dir.h"

namespace xd::testing {

namespace {
ChildSpec spec_of(std::vector<std::string> argv, std::map<std::string, std::string> env = {}) {
  ChildSpec spec;
  spec.argv = std::move(argv);
  spec.env = std::move(env);
  return spec;
}

// Sets a variable of the test's environment for one scope: the suite's
// markers are put back, so later children still carry the real ones.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};
}  // namespace

TEST_CASE("a child inherits the test's environment, with the spec's variables on top") {
  ScopedEnv inherited("XD_CHILD_PROCESS_TEST_INHERITED", "from-the-test");
  const auto r = run_child(spec_of({"/usr/bin/env"}, {{"XD_EXTRA", "1"}}));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("XD_CHILD_PROCESS_TEST_INHERITED=from-the-test\n"));
  CHECK_THAT(r.out, Catch::Contains("XD_EXTRA=1\n"));
}

TEST_CASE("clean_env: exactly the spec's variables, and the suite's markers") {
  ScopedEnv inherited("XD_CHILD_PROCESS_TEST_INHERITED", "from-the-test");
  ScopedEnv suite("XD_TEST_SUITE", "suite-marker");
  ScopedEnv name("XD_TEST_NAME", "this-test");
  auto spec = spec_of({"/usr/bin/env"}, {{"ONLY", "this"}});
  spec.clean_env = true;
  const auto r = run_child(spec);
  CHECK(r.exit_code == 0);
  // Sorted by name, as the child gets them: nothing else of the test's environment.
  CHECK(r.out == "ONLY=this\nXD_TEST_NAME=this-test\nXD_TEST_SUITE=suite-marker\n");
}

TEST_CASE("log: stdout and stderr are appended to the log, which outlives the child") {
  ScopedTempDir dir("child-process-test");
  const auto log = dir.path() / "child.log";
  std::ofstream(log) << "before\n";
  {
    auto spec = spec_of({"/bin/sh", "-c", "echo out; echo err >&2"});
    spec.log = log;
    ChildProcess child(spec);
    REQUIRE(child.wait(std::chrono::seconds(30)));
    CHECK(child.result().exit_code == 0);
    CHECK(child.result().out == "before\nout\nerr\n");
    CHECK(child.err_so_far().empty());
  }
  CHECK(read_file(log) == "before\nout\nerr\n");
}

TEST_CASE("running() is true until the child ends; the destructor stops a running one") {
  pid_t pid = 0;
  {
    ChildProcess child(spec_of({"/bin/sleep", "30"}));
    pid = child.pid();
    CHECK(child.running());
  }
  CHECK(::kill(pid, 0) != 0);  // reaped: the pid is gone
}

}  // namespace xd::testing
