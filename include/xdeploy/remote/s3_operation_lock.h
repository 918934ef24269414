#pragma once
// The deploy lock of a remote state: one object next to the state in S3,
// <state key>.xdeploy/lock, created with a create-only write (If-None-Match: *),
// so of any number of machines exactly one holds it. Its body says who: user,
// host, pid, verb, start time, the CI job's URL, and this machine's proof
// (boot id + the local lock file's identity).
//
// Released by deleting exactly the version this run wrote (If-Match: its
// ETag): a lock broken and retaken by someone else meanwhile is never deleted
// by the old holder, who is told instead.
//
// A holder that dies without releasing (SIGKILL, OOM, a CI job timeout, a lost
// runner) leaves the object. Nothing expires it. It is broken:
//   - explicitly, from any machine: break_lock() (`xdeploy unlock --force`),
//     which deletes only the version it showed the user;
//   - by the next run in the same working dir on the same machine and boot,
//     which holds that dir's flock: whoever holds it knows the dead holder and
//     every Terraform it started are gone (they held that flock until they
//     exited). That run takes it over in one compare-and-swap and says so.
// A Terraform left running by a killed xdeploy keeps the flock, so until it
// has finished that machine's runs are refused naming it, and other machines
// see the lock held by the killed xdeploy (`status` names it).
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "xdeploy/lock/operation_lock.h"
#include "xdeploy/s3/s3_client.h"

namespace xd {

struct RemoteHolder {
  std::string id;  // unique per run: tells our own lock from another's
  int pid = 0;
  std::string user;
  std::string host;
  std::string verb;
  std::string started_at;
  std::string ci_job_url;
  std::string working_dir;
  std::optional<LocalLockIdentity> local_lock;
  // "alice@runner-7 (pid 42, `promote green`, since 2026-12-06T09:00:00Z, CI job https://…)"
  std::string describe() const;
};

std::string remote_holder_json(const RemoteHolder& holder);
std::optional<RemoteHolder> remote_holder_from_json(const std::string& text);

struct LockInspection {
  bool held = false;
  std::optional<RemoteHolder> holder;  // nullopt while held: unreadable body
  std::string etag;                    // the version seen (for break_lock)
  std::string error;                   // could not ask S3
};

struct S3LockOptions {
  std::string ci_job_url;   // this run's, recorded in the lock
  std::string working_dir;  // this run's, recorded in the lock
  std::chrono::milliseconds first_pause{200};
  std::chrono::milliseconds max_pause{2000};
};

class S3OperationLock final : public OperationLock {
 public:
  S3OperationLock(s3::Client client, std::string key, S3LockOptions options = {});

  std::unique_ptr<HeldLock> acquire(const LockAttempt& attempt, LockRefusal* refusal) override;
  std::string describe() const override;

  LockInspection inspect() const;
  // Deletes the lock `seen` showed, and only that version. "" when done, else why not.
  std::string break_lock(const LockInspection& seen) const;

  const s3::Client& client() const { return client_; }

 private:
  s3::Client client_;
  std::string key_;
  S3LockOptions options_;
};

// The holder runs on this machine and boot (a live pid: it still runs), so
// breaking its lock would break a live operation.
bool holder_alive_here(const RemoteHolder& holder);

}  // namespace xd
