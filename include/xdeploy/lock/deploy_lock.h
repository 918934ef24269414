#pragma once
// One deploy at a time per working dir: an exclusive flock() on
// .xdeploy/lock. The lock belongs to the open file description, and xdeploy
// hands that descriptor to the Terraform it runs (ProcessSpec::inherit_fds):
// the kernel drops the lock once xdeploy and those children are all gone, so
// a crash never leaves a stale lock, and a Terraform that outlives a killed
// xdeploy keeps other runs out until it has finished. The holder's identity,
// and the commands sharing the lock, are written into the file so the loser
// can say who holds it.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace xd {

// A command started with the lock's descriptor (Terraform), while it runs.
struct LockChild {
  int pid = 0;
  std::string command;  // display_command() of its argv: never secrets
};

struct LockHolder {
  int pid = 0;
  std::string user;
  std::string host;
  std::string verb;
  std::string started_at;           // ISO 8601 UTC
  std::vector<LockChild> children;  // the commands holding the lock with it
  std::string describe() const;     // "pid 123 (alice@laptop, `promote green`, since 2026-...)"
};

LockHolder current_process_holder(const std::string& verb);

// Who keeps a busy lock, in words. `alive(pid)` says whether a process still
// runs here. While the xdeploy that took it lives, that is it; once it is gone
// (killed), the lock is kept by the commands it left running: *orphaned is set.
std::string who_holds(const LockHolder& holder, const std::function<bool(int pid)>& alive,
                      bool* orphaned);

class DeployLock {
 public:
  struct Error {
    bool busy = false;                 // another process holds it (else: I/O error)
    bool interrupted = false;          // busy, and `interrupted` ended the wait (Ctrl-C)
    std::optional<LockHolder> holder;  // who, if it could be read
    std::string who;                   // who_holds(), or "another process" if unreadable
    bool orphaned = false;             // the holder was killed; a command it started holds it
    std::string message;
  };

  // Tries to lock `lock_file` (parent dirs are created). With wait > 0 it
  // retries until the deadline; `interrupted` (called before each pause, so
  // also the sign that the wait began) stops the wait early. On success
  // error->message is empty unless the holder note could not be written (the
  // lock is held all the same).
  static std::optional<DeployLock> acquire(const std::filesystem::path& lock_file,
                                           const LockHolder& me, std::chrono::milliseconds wait,
                                           Error* error,
                                           const std::function<bool()>& interrupted = {});

  DeployLock(DeployLock&& other) noexcept;
  DeployLock& operator=(DeployLock&& other) noexcept;
  DeployLock(const DeployLock&) = delete;
  DeployLock& operator=(const DeployLock&) = delete;
  ~DeployLock();  // unlocks

  // The locked descriptor, for children that must keep the lock (ProcessSpec::inherit_fds).
  int fd() const { return fd_; }
  // Names (or stops naming) a child that shares the lock in the holder note, so a run
  // that finds the lock taken after this xdeploy was killed can say what still holds
  // it. Thread-safe (a promote plans on another thread while the gate runs).
  void child_started(int pid, const std::string& command);
  void child_ended(int pid);

 private:
  struct Note;
  DeployLock(int fd, std::unique_ptr<Note> note);
  int fd_ = -1;
  std::unique_ptr<Note> note_;
};

}  // namespace xd
