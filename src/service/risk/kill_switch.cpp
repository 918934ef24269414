#include "falcon_xecutor/risk/kill_switch.h"

#include <filesystem>
#include <system_error>

namespace xecutor {
namespace {

// True when the file exists, or when we cannot tell.
bool halt_file_present(const std::string& path) {
  if (path.empty()) return false;
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) return true;
  return std::filesystem::exists(status);
}

}  // namespace

KillSwitch::KillSwitch(bool halted_by_env, std::string halt_file)
    : halted_by_env_(halted_by_env), halt_file_(std::move(halt_file)) {}

bool KillSwitch::halted() const {
  return halted_by_env_ || halt_file_present(halt_file_);
}

std::string KillSwitch::reason() const {
  if (halted_by_env_) return "XECUTOR_HALT=1";
  return "halt file " + halt_file_ + " present";
}

}  // namespace xecutor
