#include "xdeploy/lock/operation_lock.h"

#include <sys/stat.h>

#include <fstream>

#include "xdeploy/fs/atomic_file.h"

namespace xd {
namespace {

using Clock = std::chrono::steady_clock;

class HeldFlock final : public HeldLock {
 public:
  HeldFlock(DeployLock lock, std::string note) : lock_(std::move(lock)) {
    if (!note.empty()) notes_.push_back(std::move(note));
  }
  std::vector<std::string> release() override {
    lock_.reset();
    return {};
  }
  std::vector<std::string> notes() const override { return notes_; }
  int inheritable_fd() const override { return lock_ ? lock_->fd() : -1; }
  void child_started(int pid, const std::string& command) override {
    if (lock_) lock_->child_started(pid, command);
  }
  void child_ended(int pid) override {
    if (lock_) lock_->child_ended(pid);
  }
  std::optional<LocalLockIdentity> identity() const override {
    struct stat info {};
    const auto boot = current_boot_id();
    if (!lock_ || boot.empty() || fstat(lock_->fd(), &info) != 0) return std::nullopt;
    return LocalLockIdentity{boot, info.st_dev, info.st_ino};
  }

 private:
  std::optional<DeployLock> lock_;
  std::vector<std::string> notes_;
};

class FlockLock final : public OperationLock {
 public:
  explicit FlockLock(std::filesystem::path file) : file_(std::move(file)) {}
  std::unique_ptr<HeldLock> acquire(const LockAttempt& attempt, LockRefusal* refusal) override {
    DeployLock::Error error;
    auto lock = DeployLock::acquire(file_, attempt.me, attempt.wait, &error, attempt.interrupted);
    if (!lock) {
      *refusal =
          LockRefusal{error.busy, error.interrupted, error.orphaned, error.who, error.message, ""};
      return nullptr;
    }
    return std::make_unique<HeldFlock>(std::move(*lock), error.message);
  }
  std::string describe() const override { return file_.string(); }

 private:
  std::filesystem::path file_;
};

class HeldChain final : public HeldLock {
 public:
  HeldChain(std::unique_ptr<HeldLock> first, std::unique_ptr<HeldLock> second)
      : first_(std::move(first)), second_(std::move(second)) {}
  ~HeldChain() override { release(); }
  std::vector<std::string> release() override {
    std::vector<std::string> warnings;
    if (second_) warnings = second_->release();
    second_.reset();
    if (first_)
      for (auto& w : first_->release()) warnings.push_back(std::move(w));
    first_.reset();
    return warnings;
  }
  std::vector<std::string> notes() const override {
    auto all = first_ ? first_->notes() : std::vector<std::string>{};
    if (second_)
      for (auto& n : second_->notes()) all.push_back(std::move(n));
    return all;
  }
  int inheritable_fd() const override { return first_ ? first_->inheritable_fd() : -1; }
  void child_started(int pid, const std::string& command) override {
    if (first_) first_->child_started(pid, command);
  }
  void child_ended(int pid) override {
    if (first_) first_->child_ended(pid);
  }
  std::optional<LocalLockIdentity> identity() const override {
    return first_ ? first_->identity() : std::nullopt;
  }

 private:
  std::unique_ptr<HeldLock> first_;
  std::unique_ptr<HeldLock> second_;
};

class ChainLock final : public OperationLock {
 public:
  ChainLock(std::unique_ptr<OperationLock> first, std::unique_ptr<OperationLock> second)
      : first_(std::move(first)), second_(std::move(second)) {}
  std::unique_ptr<HeldLock> acquire(const LockAttempt& attempt, LockRefusal* refusal) override {
    const auto start = Clock::now();
    auto held_first = first_->acquire(attempt, refusal);
    if (!held_first) return nullptr;
    LockAttempt next = attempt;
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    next.wait = std::max(std::chrono::milliseconds(0), attempt.wait - spent);
    next.local_lock = held_first->identity();
    auto held_second = second_->acquire(next, refusal);
    if (!held_second) return nullptr;  // held_first is released on the way out
    return std::make_unique<HeldChain>(std::move(held_first), std::move(held_second));
  }
  std::string describe() const override {
    return first_->describe() + " and " + second_->describe();
  }

 private:
  std::unique_ptr<OperationLock> first_;
  std::unique_ptr<OperationLock> second_;
};

}  // namespace

std::unique_ptr<OperationLock> flock_operation_lock(std::filesystem::path lock_file) {
  return std::make_unique<FlockLock>(std::move(lock_file));
}

std::unique_ptr<OperationLock> chain_locks(std::unique_ptr<OperationLock> first,
                                           std::unique_ptr<OperationLock> second) {
  return std::make_unique<ChainLock>(std::move(first), std::move(second));
}

std::string current_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

}  // namespace xd
