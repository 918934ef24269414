#pragma once
// Running one external command (Terraform, mostly), the ninja way: the
// command is an argv array (never a shell), output comes back line by line as
// it is produced, and interrupts are forwarded, never escalated.
//
// The child's stdout and stderr are anonymous files, not pipes: if xdeploy
// dies (SIGKILL, OOM killer, a CI job timeout), a pipe would break and the
// child's next write would kill it with SIGPIPE. Go programs die that way on
// fd 1/2 whatever the inherited disposition (os/signal docs, "SIGPIPE"), so
// Terraform would stop mid-apply: no final state write, its lock left, cloud
// resources missing from state. A file never breaks: the orphan finishes.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xd {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  std::string cwd;                // empty: inherit
  // Set on top of the inherited environment (how secrets reach Terraform:
  // TF_VAR_* values, never argv).
  std::vector<std::pair<std::string, std::string>> env;
  // Where the child's stdout and stderr are kept while it runs: two unnamed
  // files (O_TMPFILE, 0600; they can hold what Terraform prints about the
  // infrastructure) that vanish when the last process holding them exits.
  // Empty, or not usable: $TMPDIR, else /tmp. xdeploy uses its `.xdeploy/`.
  std::string output_dir;
  // Descriptors the child keeps open under the same numbers (every other one
  // above 2 is closed on exec). xdeploy passes its deploy lock: an flock
  // belongs to the open file description, so the lock stays held while
  // either process lives, and a Terraform orphaned by a killed xdeploy still
  // keeps other runs out until it has finished.
  std::vector<int> inherit_fds;
  // Called with the child's pid once it has exec'd, before its output is read.
  std::function<void(int pid)> on_started;
  // A deadline for this child alone, asked on every tick of the watch loop (and after each
  // line of its output): the first time it answers true, the child's group gets one SIGINT
  // (what Terraform needs to stop, save its state and release its lock), exactly like a
  // Ctrl-C, and never SIGKILL; ProcessResult::deadline_passed says so.
  std::function<bool()> interrupt_when;
  // Interrupts (Ctrl-C, SIGTERM, --timeout) counted beyond this many are this child's: one
  // that came after the caller's last look but before the spawn is forwarded at once, not
  // lost. Unset: only those from the spawn on (a read that must run even after a Ctrl-C).
  std::optional<int> interrupts_acknowledged;
  // The child gets its own process group so a terminal Ctrl-C reaches only
  // xdeploy, which forwards exactly one SIGINT per Ctrl-C (two would make
  // Terraform abandon its state). stdin is /dev/null.
};

using LineSink = std::function<void(std::string_view line)>;

struct ProcessResult {
  bool started = false;  // false: could not exec (error says why)
  int exit_code = -1;    // exit status, or 128+N when killed by signal N
  int interrupts_forwarded = 0;
  bool timed_out = false;        // the runner's HookTimeout expired and the child was signalled
  bool deadline_passed = false;  // ProcessSpec::interrupt_when said so: one SIGINT was sent
  std::string error;
  std::chrono::milliseconds duration{0};
  std::string stdout_text;  // everything the child wrote, also streamed to the sinks
  std::string stderr_text;
};

// The seam between xdeploy and real processes: tests that only care about
// argv can use a fake runner; integration tests use the real one against the
// fake `terraform` binary.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual ProcessResult run(const ProcessSpec& spec, const LineSink& on_stdout,
                            const LineSink& on_stderr) = 0;
};

// Once `after` has passed, SIGTERM the child's process group; SIGKILL it if
// it is still there `kill_grace` later.
struct HookTimeout {
  std::chrono::milliseconds after;
  std::chrono::milliseconds kill_grace{5000};
};

// fork/exec with output files and a poll() loop (the child's exit through a
// pidfd, new output read every tick). While the child runs, each SIGINT
// or SIGTERM that xdeploy receives (see interrupts.h; the caller holds an
// InterruptScope) is forwarded to the child's process group as SIGINT. It
// waits for the child however long it takes, unless it was made with a
// HookTimeout (hooks): no SIGKILL for anything else, ever. Lines reach the
// sinks at most a tick (50 ms) after the child wrote them; it returns as soon
// as the child exits, with everything it wrote. What a background grandchild
// writes after that is not read (and, unlike with pipes, never blocks or
// kills it).
class RealCommandRunner : public CommandRunner {
 public:
  RealCommandRunner() = default;
  // For hooks only (app/hooks.h), never Terraform: a killed Terraform loses
  // its state and keeps its lock.
  explicit RealCommandRunner(HookTimeout timeout) : timeout_(timeout) {}
  ProcessResult run(const ProcessSpec& spec, const LineSink& on_stdout,
                    const LineSink& on_stderr) override;

 private:
  std::optional<HookTimeout> timeout_;
};

// Shell-quoted form of argv for logs and history ("terraform -chdir=x 'a b'").
std::string display_command(const std::vector<std::string>& argv);

}  // namespace xd
