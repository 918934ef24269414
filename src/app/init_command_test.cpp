#include "xdeploy/app/init_command.h"

#include <catch2/catch.hpp>

#include "support/scoped_temp_dir.h"
#include "xdeploy/fs/atomic_file.h"

using xd::testing::ScopedTempDir;

namespace xd {
namespace fs = std::filesystem;

namespace {

// A small module that looks like terraform/: files to copy and files not to.
fs::path fake_module(const ScopedTempDir& tmp) {
  const auto m = tmp / "module";
  write_file_atomically(m / "main.tf", "# main\n");
  write_file_atomically(m / "modules/slot/main.tf", "# slot\n");
  write_file_atomically(m / "README.md", "readme\n");
  write_file_atomically(m / "tests/CMakeLists.txt", "ci\n");
  write_file_atomically(m / "CMakeLists.txt", "ci\n");
  write_file_atomically(m / ".terraform/providers/x", "cache\n");
  write_file_atomically(m / "terraform.tfstate", "{}\n");
  return m;
}

}  // namespace

TEST_CASE("the module's files, without its tests or anything Terraform made") {
  ScopedTempDir tmp;
  const auto files = module_files(fake_module(tmp));
  CHECK(files == std::vector<fs::path>{"README.md", "main.tf", "modules/slot/main.tf"});
}

TEST_CASE("init writes xdeploy.toml, the tfvars example and a copy of the module") {
  ScopedTempDir tmp;
  Console console(ColorMode::Never, -1);
  const InitRequest request{tmp / "project", fake_module(tmp), false};
  REQUIRE(run_init(request, console) == 0);
  CHECK(read_text_file(tmp / "project/xdeploy.toml")->find("chdir = \"terraform\"") !=
        std::string::npos);
  CHECK(read_text_file(tmp / "project/terraform/terraform.tfvars.example")->find("artifact_path") !=
        std::string::npos);
  CHECK(read_text_file(tmp / "project/terraform/modules/slot/main.tf") == "# slot\n");
  CHECK_FALSE(fs::exists(tmp / "project/terraform/tests"));
  CHECK_FALSE(fs::exists(tmp / "project/terraform/terraform.tfstate"));
}

TEST_CASE("init refuses to overwrite (exit 4, nothing written) unless --force") {
  ScopedTempDir tmp;
  Console console(ColorMode::Never, -1);
  const auto module = fake_module(tmp);
  write_file_atomically(tmp / "project/terraform/main.tf", "# mine\n");
  InitRequest request{tmp / "project", module, false};
  CHECK(run_init(request, console) == 4);
  CHECK(read_text_file(tmp / "project/terraform/main.tf") == "# mine\n");
  CHECK_FALSE(fs::exists(tmp / "project/xdeploy.toml"));  // all or nothing

  request.force = true;
  CHECK(run_init(request, console) == 0);
  CHECK(read_text_file(tmp / "project/terraform/main.tf") == "# main\n");
}

TEST_CASE("init without a module to copy fails and says where it should be") {
  ScopedTempDir tmp;
  Console console(ColorMode::Never, -1);
  CHECK(run_init({tmp / "p", {}, false}, console) == 1);
  CHECK_FALSE(fs::exists(tmp / "p"));
}

TEST_CASE("the installed module is found next to the binary") {
  ScopedTempDir tmp;
  write_file_atomically(tmp / "usr/share/xdeploy/terraform/main.tf", "#\n");
  CHECK(find_module_source(tmp / "usr/bin") == (tmp / "usr/share/xdeploy/terraform"));
}

}  // namespace xd
