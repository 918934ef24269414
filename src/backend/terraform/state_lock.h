// Terraform's "Error acquiring the state lock": who holds it, and the one
// command that releases a lock whose holder is gone. xdeploy only explains;
// it never force-unlocks by itself (the holder may still be running).
#pragma once

#include <optional>
#include <string>

namespace xd {

struct StateLockInfo {
  std::string id;
  std::string path;
  std::string operation;
  std::string who;
  std::string created;
};

// The lock named in Terraform's output, if the failure was a held state lock.
std::optional<StateLockInfo> parse_state_lock_error(const std::string& terraform_output);

// "the state is locked (ID …, OperationTypeApply by root@vm since …)".
std::string state_lock_message(const StateLockInfo& lock);

// What to do: wait for the holder, or release a stale lock with the exact command.
std::string state_lock_hint(const StateLockInfo& lock, const std::string& terraform_binary,
                            const std::string& chdir);

}  // namespace xd
