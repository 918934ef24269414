#include "terraform_commands.h"

#include "xdeploy/core/duration.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace xd {

std::string go_duration(std::chrono::milliseconds d) {
  return duration_literal(d);
}

std::vector<std::string> TerraformCommands::base(const char* subcommand) const {
  return {s_.binary, "-chdir=" + s_.chdir, subcommand};
}

std::vector<std::string> TerraformCommands::init() const {
  auto argv = base("init");
  argv.emplace_back("-input=false");
  if (!s_.color) argv.emplace_back("-no-color");
  return argv;
}

std::vector<std::string> TerraformCommands::plan(const Deployment& target, const PlanScope& scope,
                                                 const std::string& plan_file) const {
  auto argv = base("plan");
  argv.emplace_back("-input=false");
  argv.emplace_back("-json");  // the stream is what the guard reads (no colors in it)
  argv.push_back("-lock-timeout=" + go_duration(s_.lock_timeout));
  argv.emplace_back("-detailed-exitcode");
  argv.push_back("-out=" + plan_file);
  argv.push_back("-var=deploy=" + target.to_deploy_var());
  if (scope.verified) argv.push_back("-var=verified=" + std::string(to_string(*scope.verified)));
  if (scope.replace) argv.push_back("-replace=" + *scope.replace);
  for (const auto& t : scope.targets) argv.push_back("-target=" + t);
  for (const auto& f : s_.var_files) argv.push_back("-var-file=" + f);
  argv.insert(argv.end(), s_.extra_args.begin(), s_.extra_args.end());
  return argv;
}

std::vector<std::string> TerraformCommands::refresh_plan(const Deployment& deployment,
                                                         const std::vector<std::string>& targets,
                                                         const std::string& plan_file) const {
  auto argv = base("plan");
  argv.emplace_back("-refresh-only");
  argv.emplace_back("-input=false");
  argv.emplace_back("-json");
  argv.push_back("-lock-timeout=" + go_duration(s_.lock_timeout));
  argv.emplace_back("-detailed-exitcode");
  argv.push_back("-out=" + plan_file);
  argv.push_back("-var=deploy=" + deployment.to_deploy_var());
  for (const auto& t : targets) argv.push_back("-target=" + t);
  for (const auto& f : s_.var_files) argv.push_back("-var-file=" + f);
  argv.insert(argv.end(), s_.extra_args.begin(), s_.extra_args.end());
  return argv;
}

std::vector<std::string> TerraformCommands::state_pull() const {
  auto argv = base("state");
  argv.emplace_back("pull");
  argv.emplace_back("-no-color");  // its errors must not carry escapes
  return argv;
}

std::vector<std::string> TerraformCommands::apply_plan(const std::string& plan_file) const {
  auto argv = base("apply");
  argv.emplace_back("-input=false");
  if (!s_.color) argv.emplace_back("-no-color");
  argv.push_back("-lock-timeout=" + go_duration(s_.lock_timeout));
  argv.push_back(plan_file);
  return argv;
}

namespace {

bool secret_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  constexpr std::array kWords{"key", "secret", "passphrase", "password", "token"};
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](const char* w) { return name.find(w) != std::string::npos; });
}

}  // namespace

std::vector<std::string> redact_secrets(std::vector<std::string> argv) {
  bool next_is_var = false;
  for (auto& arg : argv) {
    std::string* value_holder = nullptr;
    size_t assignment = std::string::npos;
    if (next_is_var) {
      value_holder = &arg;
      assignment = 0;
      next_is_var = false;
    } else if (arg == "-var" || arg == "--var") {
      next_is_var = true;
      continue;
    } else if (arg.rfind("-var=", 0) == 0 || arg.rfind("--var=", 0) == 0) {
      value_holder = &arg;
      assignment = arg.find('=') + 1;
    }
    if (!value_holder) continue;
    const auto eq = arg.find('=', assignment);
    if (eq == std::string::npos) continue;
    if (secret_name(arg.substr(assignment, eq - assignment))) arg = arg.substr(0, eq + 1) + "***";
  }
  return argv;
}

}  // namespace xd
