#pragma once
// xdeploy's exit codes. They are a contract with users' scripts and CI:
// documented in README and --help; add new ones, never renumber.
namespace xd {

enum class ExitCode : int {
  Ok = 0,             // done, or nothing to do
  Failed = 1,         // Terraform (or another step) failed
  Usage = 2,          // bad command line; nothing ran
  HealthFailed = 3,   // health gate failed; the static IP was not moved
  Refused = 4,        // precondition or plan outside the allowed set; nothing changed
  Locked = 5,         // another xdeploy holds the deploy lock
  RolledBack = 6,     // the new color never served publicly; promote was undone
  TimedOut = 124,     // --timeout passed; Terraform was interrupted (like timeout(1))
  Interrupted = 130,  // Ctrl-C / SIGTERM
};

constexpr int to_int(ExitCode c) {
  return static_cast<int>(c);
}

}  // namespace xd
