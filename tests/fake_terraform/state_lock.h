#pragma once
// The local backend's state lock: an flock on <workdir>/.fake-terraform/state.lock (dropped by
// the OS if the holder dies, like Terraform's fcntl lock) plus .terraform.tfstate.lock.info
// holding the Lock Info JSON while held. Retries until -lock-timeout (facts §1.3, §3).
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "view.h"

namespace fake_tf {

class StateLock {
 public:
  StateLock() = default;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock() { release(); }

  // Returns the "Error acquiring the state lock" diagnostic on failure. `always_held` simulates
  // another holder (FAKE_TF_FAULTS lock).
  std::optional<Diagnostic> acquire(const std::filesystem::path& workdir,
                                    const std::string& operation, std::chrono::milliseconds timeout,
                                    bool always_held, const View& view);
  void release();

 private:
  int fd_ = -1;
  std::filesystem::path info_path_;
};

std::filesystem::path lock_info_path(const std::filesystem::path& workdir);

}  // namespace fake_tf
