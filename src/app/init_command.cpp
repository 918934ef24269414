#include "xdeploy/app/init_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "xdeploy/app/init_templates.h"
#include "xdeploy/core/exit_code.h"
#include "xdeploy/fs/atomic_file.h"

#ifndef XD_SOURCE_DIR
#define XD_SOURCE_DIR ""
#endif

namespace xd {

namespace fs = std::filesystem;

fs::path find_module_source(const fs::path& exe_dir) {
  std::error_code ec;
  // Lexically: "bin/.." must work even where the kernel would not resolve it.
  std::vector<fs::path> candidates{
      (exe_dir / ".." / "share" / "xdeploy" / "terraform").lexically_normal()};
  if (!std::string_view(XD_SOURCE_DIR).empty())
    candidates.push_back(fs::path(XD_SOURCE_DIR) / "terraform");
  for (const auto& candidate : candidates)
    if (fs::exists(candidate / "main.tf", ec)) return candidate;
  return {};
}

std::vector<fs::path> module_files(const fs::path& source) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(source, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path rel = it->path().lexically_relative(source);
    const std::string name = it->path().filename().string();
    // Hidden entries are what Terraform or xdeploy made (.terraform, .xdeploy);
    // tests/ and CMakeLists.txt are this repository's CI, not the module.
    const bool skip = name.front() == '.' || (it.depth() == 0 && name == "tests") ||
                      name == "CMakeLists.txt" || name.find(".tfstate") != std::string::npos;
    if (skip) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) files.push_back(rel);
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

struct Output {
  fs::path path;
  std::string content;
};

}  // namespace

int run_init(const InitRequest& request, Console& console) {
  if (request.module_source.empty()) {
    console.error("cannot find the Terraform module to copy",
                  "install the xdeploy package (it ships /usr/share/xdeploy/terraform)");
    return to_int(ExitCode::Failed);
  }
  const fs::path module_dir = request.dir / "terraform";
  std::vector<Output> outputs{{request.dir / "xdeploy.toml", kXdeployToml},
                              {module_dir / "terraform.tfvars.example", kTfvarsExample}};
  for (const auto& rel : module_files(request.module_source)) {
    const auto content = read_text_file(request.module_source / rel);
    if (!content) {
      console.error(fmt::format("cannot read {}", (request.module_source / rel).string()));
      return to_int(ExitCode::Failed);
    }
    outputs.push_back({module_dir / rel, *content});
  }
  // All or nothing: look at every target before writing any.
  std::error_code ec;
  if (!request.force)
    for (const auto& out : outputs)
      if (fs::exists(out.path, ec)) {
        console.error(
            fmt::format("refused: {} already exists; nothing was written", out.path.string()),
            "pass --force to overwrite it (and the other starter files)");
        return to_int(ExitCode::Refused);
      }
  for (const auto& out : outputs)
    if (const auto error = write_file_atomically(out.path, out.content); !error.empty()) {
      console.error(fmt::format("cannot write {}: {}", out.path.string(), error));
      return to_int(ExitCode::Failed);
    }
  console.success(fmt::format("wrote {}, and {} (a copy of {})", outputs[0].path.string(),
                              module_dir.string(), request.module_source.string()));
  console.info(
      fmt::format("next: cp {0}/terraform.tfvars.example {0}/terraform.tfvars and fill it in;\n"
                  "      export TF_VAR_falconx_api_key ... (the secrets); then `xdeploy plan blue`",
                  module_dir.string()));
  return 0;
}

}  // namespace xd
