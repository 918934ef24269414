// `terraform init`: records that providers are "installed" (a marker in the data dir) and writes
// the dependency lock file, so plan/apply stop failing with the §1.2 error.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "clock_ids.h"
#include "command_context.h"
#include "state_store.h"
#include "variables.h"

namespace fake_tf {

namespace {
constexpr const char* kLockFile =
    "# This file is maintained automatically by \"terraform init\".\n"
    "# Manual edits may be lost in future updates.\n\n"
    "provider \"registry.terraform.io/hashicorp/aws\" {\n  version = \"5.100.0\"\n}\n";

constexpr const char* kProviders =
    "\nInitializing the backend...\n\nInitializing provider plugins...\n"
    "- Finding hashicorp/aws versions matching \">= 5.100.0, < 7.0.0\"...\n"
    "- Installing hashicorp/aws v5.100.0...\n- Installed hashicorp/aws v5.100.0 (signed by "
    "HashiCorp)\n";
}  // namespace

int run_init(CommandContext& ctx) {
  bool input = true, upgrade = false, reconfigure = false, json = false, lock = true;
  bool get = true, backend = true, migrate = false, force_copy = false;
  std::string plugin_dir, lockfile;
  std::vector<std::string> backend_config;
  std::chrono::milliseconds lock_timeout{0};
  FlagSet f;
  f.boolean("input", &input);
  f.boolean("upgrade", &upgrade);
  f.boolean("reconfigure", &reconfigure);
  f.boolean("json", &json);
  f.boolean("lock", &lock);
  f.boolean("get", &get);
  f.boolean("backend", &backend);
  f.boolean("migrate-state", &migrate);
  f.boolean("force-copy", &force_copy);
  f.duration("lock-timeout", &lock_timeout);
  f.string("plugin-dir", &plugin_dir);
  f.string("lockfile", &lockfile);
  f.repeated("backend-config", &backend_config);
  int code = 0;
  auto rest = parse_flags(ctx, f, code);
  if (!rest) return code;
  ctx.view.set_json(json);
  if (json) ctx.view.version_line();
  if (!rest->empty()) {
    ctx.view.error("Too many command line arguments",
                   "Did you mean to use -chdir? To specify a working directory, use the global "
                   "-chdir flag.");
    return 1;
  }
  if (!has_configuration(ctx.workdir)) {
    ctx.view.out(
        "Terraform initialized in an empty directory!\n\nThe directory has no Terraform "
        "configuration files. You may begin working\nwith Terraform immediately by creating "
        "Terraform configuration files.\n");
    ctx.view.message("info", "Terraform initialized in an empty directory!", "init_output",
                     {{"message_code", "empty_message"}});
    return 0;
  }
  std::filesystem::create_directories(ctx.data_dir);
  write_file_atomic(ctx.data_dir / "fake-terraform-init.json",
                    nlohmann::json{{"initialized_at", rfc3339_nano_now()}}.dump() + "\n");
  bool new_lock_file = !std::filesystem::exists(ctx.workdir / ".terraform.lock.hcl");
  if (new_lock_file) write_file_atomic(ctx.workdir / ".terraform.lock.hcl", kLockFile);
  std::string text = kProviders;
  if (new_lock_file)
    text +=
        "\nTerraform has created a lock file .terraform.lock.hcl to record the provider\n"
        "selections it made above. Include this file in your version control repository\n"
        "so that Terraform can guarantee to make the same selections by default when\n"
        "you run \"terraform init\" in the future.\n";
  text += "\nTerraform has been successfully initialized!\n";
  if (!ctx.in_automation)
    text +=
        "\nYou may now begin working with Terraform. Try running \"terraform plan\" to see\n"
        "any changes that are required for your infrastructure. All Terraform commands\n"
        "should now work.\n\nIf you ever set or change modules or backend configuration for "
        "Terraform,\nrerun this command to reinitialize your working directory. If you forget, "
        "other\ncommands will detect it and remind you to do so if necessary.\n";
  ctx.view.out(text);
  ctx.view.message("info", "Terraform has been successfully initialized!", "init_output",
                   {{"message_code", "output_init_success_message"}});
  return 0;
}

}  // namespace fake_tf
