#include "plan_file_guard.h"

#include <system_error>

#include "xdeploy/backend/terraform/terraform.h"

namespace xd {

namespace fs = std::filesystem;

PlanFileGuard::PlanFileGuard(fs::path path) : path_(std::move(path)) {
  std::error_code ec;
  fs::remove(path_, ec);  // never let Terraform write into a file someone else prepared
}

PlanFileGuard::PlanFileGuard(PlanFileGuard&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

PlanFileGuard::~PlanFileGuard() {
  if (path_.empty()) return;  // moved from
  std::error_code ec;
  fs::remove(path_, ec);
}

void PlanFileGuard::restrict() const {
  std::error_code ec;
  if (fs::exists(path_, ec))
    fs::permissions(path_, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, ec);
}

int remove_stale_plans(const fs::path& plans_dir) {
  std::error_code ec;
  int removed = 0;
  for (const auto& entry : fs::directory_iterator(plans_dir, ec)) {
    std::error_code rm;
    if (entry.path().extension() == ".tfplan" && fs::remove(entry.path(), rm)) ++removed;
  }
  return removed;
}

}  // namespace xd
