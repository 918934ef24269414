#include "xdeploy/app/working_dir.h"

#include <fmt/format.h>

#include <filesystem>

namespace xd {

namespace fs = std::filesystem;

namespace {

bool has_tf_file(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".tf" && it->is_regular_file(ec)) return true;
  return false;
}

}  // namespace

std::string working_dir_problem(const AppOptions& options) {
  if (options.backend != BackendKind::Terraform) return "";
  std::error_code ec;
  const fs::path dir(options.chdir);
  if (!fs::exists(dir, ec))
    return fmt::format("working directory \"{}\" does not exist", options.chdir);
  if (!fs::is_directory(dir, ec))
    return fmt::format("working directory \"{}\" is not a directory", options.chdir);
  if (!has_tf_file(dir))
    return fmt::format("working directory \"{}\" has no *.tf files: not a Terraform root module",
                       options.chdir);
  return "";
}

}  // namespace xd
