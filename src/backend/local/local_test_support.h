#pragma once
// Helpers shared by the local backend's tests: a DetachedSpec in one call, and
// the loopback helpers of the test tree.
#include <filesystem>
#include <string>
#include <vector>

#include "detached_process.h"
#include "support/in_process_slot.h"

namespace xd::testing {

inline DetachedSpec detached(std::vector<std::string> argv, std::filesystem::path log,
                             std::filesystem::path cwd = {}, std::vector<std::string> env = {}) {
  DetachedSpec spec;
  spec.argv = std::move(argv);
  spec.log_file = std::move(log);
  spec.cwd = std::move(cwd);
  spec.extra_env = std::move(env);
  return spec;
}

}  // namespace xd::testing
