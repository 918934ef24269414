#pragma once
// A process we started, identified by pid AND its start time (field 22 of
// /proc/<pid>/stat, in clock ticks since boot). Pids are reused; the pair is
// not. Every signal we send goes through `is_alive`, so a program that happens
// to get a recorded pid is never touched.
#include <chrono>
#include <optional>
#include <string>

#include <sys/types.h>

namespace xd {

struct ProcessIdentity {
  pid_t pid = 0;
  unsigned long long start_time = 0;

  friend bool operator==(const ProcessIdentity&, const ProcessIdentity&) = default;
};

// The start time of a live (non-zombie) process, nullopt if it is gone.
std::optional<unsigned long long> process_start_time(pid_t pid);

// The identity of a live process, read now (right after spawning it).
std::optional<ProcessIdentity> identify_process(pid_t pid);

// True when the recorded process still runs: same pid, same start time, not a zombie.
bool is_alive(const ProcessIdentity& id);

// The basename of argv[0] of a live process ("" if unreadable).
std::string process_program_name(pid_t pid);

// A process of ours carrying `marker` (NAME=VALUE) in its initial environment:
// how a process started just before xdeploy was killed, and so never
// recorded, is found again. Only our own processes are readable.
std::optional<ProcessIdentity> find_process_by_marker(const std::string& marker);

// SIGTERM to the process group, then SIGKILL after `grace`; returns true once
// the process is gone. Does nothing (returns true) if the identity no longer
// matches a live process.
bool stop_process(const ProcessIdentity& id, std::chrono::milliseconds grace);

}  // namespace xd
