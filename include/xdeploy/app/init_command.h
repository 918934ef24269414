#pragma once
// `xdeploy init [DIR]`: a starting point for a new project. Writes
//   DIR/xdeploy.toml                          commented, every option at its default
//   DIR/terraform/                            a COPY of the module xdeploy ships
//   DIR/terraform/terraform.tfvars.example    what to fill in
// A copy, not a reference to /usr/share/xdeploy/terraform: Terraform keeps
// its state, .terraform/ and xdeploy its .xdeploy/ next to the root module,
// which must be writable and yours; and a package upgrade must not change
// live infrastructure until you diff and adopt the new module.
// Nothing is overwritten without --force (exit 4 names the first file).
#include <filesystem>
#include <string>
#include <vector>

#include "xdeploy/app/console.h"

namespace xd {

struct InitRequest {
  std::filesystem::path dir = ".";
  std::filesystem::path module_source;  // the module to copy
  bool force = false;
};

// Where the module xdeploy ships is: installed (<exe_dir>/../share/xdeploy/
// terraform), else this source tree's terraform/ (a build tree). Empty if
// neither exists.
std::filesystem::path find_module_source(const std::filesystem::path& exe_dir);

// The module's files to copy, relative to `source`: *.tf, templates, docs;
// not its tests, build files, or anything Terraform or xdeploy created.
std::vector<std::filesystem::path> module_files(const std::filesystem::path& source);

int run_init(const InitRequest& request, Console& console);

}  // namespace xd
