#include "state_dir.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "xdeploy/backend/terraform/terraform.h"

namespace xd {

namespace fs = std::filesystem;

namespace {

void set_mode(const fs::path& p, fs::perms mode, StateDirReport& report) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return;
  fs::permissions(p, mode, fs::perm_options::replace, ec);
  if (ec)
    report.warnings.push_back(fmt::format("cannot make {} private: {}", p.string(), ec.message()));
}

}  // namespace

StateDirReport prepare_state_dir(const std::string& state_dir) {
  StateDirReport report;
  const fs::path dir(state_dir);
  std::error_code ec;
  fs::create_directories(dir / "logs", ec);
  constexpr auto kDir = fs::perms::owner_all;
  constexpr auto kFile = fs::perms::owner_read | fs::perms::owner_write;
  for (const auto& d : {dir, dir / "logs", dir / "plans"}) set_mode(d, kDir, report);
  set_mode(dir / "history.jsonl", kFile, report);
  for (const auto& entry : fs::directory_iterator(dir / "logs", ec))
    if (entry.is_regular_file()) set_mode(entry.path(), kFile, report);
  report.stale_plans_removed = remove_stale_plans(dir / "plans");
  return report;
}

}  // namespace xd
