#pragma once
// The kill switch: XECUTOR_HALT=1 in the environment, or a file at
// XECUTOR_HALT_FILE (default /etc/falcon-xecutor/HALT). The file is looked at
// on every order and every /health, so an operator halts a running slot with
// `touch` and resumes with `rm`, no restart. If the file's existence cannot be
// determined (permissions, I/O error), the slot counts as halted.
#include <string>

namespace xecutor {

class KillSwitch {
 public:
  KillSwitch(bool halted_by_env, std::string halt_file);
  bool halted() const;
  // For the refusal message: what halted the slot.
  std::string reason() const;

 private:
  bool halted_by_env_;
  std::string halt_file_;
};

}  // namespace xecutor
