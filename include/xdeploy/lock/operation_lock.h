#pragma once
// The deploy lock as a port: one xdeploy operation at a time, for the whole
// verb (state read, gate, plan, apply, read-back). Implementations:
//   flock_operation_lock()   .xdeploy/lock on this machine (deploy_lock.h), the
//                            lock of a working dir whose Terraform state is local;
//   S3OperationLock          (src/remote) an object next to a remote state in S3,
//                            taken with a create-only write: one lock across machines;
//   chain_locks(a, b)        a, then b: a remote state's runs take the local flock
//                            first (it keeps a killed xdeploy's Terraform counted
//                            as a holder on its machine), then the remote object.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "xdeploy/lock/deploy_lock.h"

namespace xd {

// Proof, on this machine, that a holder of this working dir's flock is gone:
// the same kernel boot and the same lock file. Whoever holds that flock knows
// that no process which held it before (an xdeploy, or a Terraform it started)
// still runs.
struct LocalLockIdentity {
  std::string boot_id;  // /proc/sys/kernel/random/boot_id
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const LocalLockIdentity&) const = default;
};

struct LockAttempt {
  LockHolder me;
  std::chrono::milliseconds wait{0};  // --lock-wait: 0 = fail at once when held
  // Called before each pause (so also the sign that a wait began); true stops the wait.
  std::function<bool()> interrupted;
  // Set by chain_locks() for the second lock: the first one's identity.
  std::optional<LocalLockIdentity> local_lock;
};

struct LockRefusal {
  bool busy = false;         // someone holds it (else: an error reaching it)
  bool interrupted = false;  // busy, and `interrupted` ended the wait
  bool orphaned = false;     // its holder was killed; what it started (or left) keeps it
  std::string who;           // the holder, in words
  std::string message;       // one line: what happened
  std::string hint;          // what to do next ("" = the caller's usual advice)
};

class HeldLock {
 public:
  virtual ~HeldLock() = default;  // releases, if release() was not called
  // Lets go; returns warnings (e.g. "the lock was broken while held"), empty when clean.
  virtual std::vector<std::string> release() = 0;
  // What acquiring it had to say although it succeeded (a takeover, a note it could not write).
  virtual std::vector<std::string> notes() const { return {}; }
  // For the commands run under it (LockShare): the descriptor they inherit (-1: none), and
  // the holder note naming them. Only a local flock has these.
  virtual int inheritable_fd() const { return -1; }
  virtual void child_started(int pid, const std::string& command) {
    (void)pid;
    (void)command;
  }
  virtual void child_ended(int pid) { (void)pid; }
  virtual std::optional<LocalLockIdentity> identity() const { return std::nullopt; }
};

class OperationLock {
 public:
  virtual ~OperationLock() = default;
  virtual std::unique_ptr<HeldLock> acquire(const LockAttempt& attempt, LockRefusal* refusal) = 0;
  virtual std::string describe() const = 0;  // where it lives, for messages
};

// Today's lock: .xdeploy/lock, unchanged (deploy_lock.h).
std::unique_ptr<OperationLock> flock_operation_lock(std::filesystem::path lock_file);

// `first`, then `second` with the wait that is left; released in reverse order.
std::unique_ptr<OperationLock> chain_locks(std::unique_ptr<OperationLock> first,
                                           std::unique_ptr<OperationLock> second);

// This kernel boot's id ("" if unreadable: then nothing counts as proof).
std::string current_boot_id();

}  // namespace xd
