#pragma once
// The Terraform commands xdeploy runs, as argv arrays and nothing else (the
// Kamal split: this file only builds commands, terraform_backend.cpp runs
// them). Keeping them here makes "what exactly does a verb run" one
// readable, unit-tested place, and `xdeploy plan` prints them verbatim.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "xdeploy/backend/terraform/terraform.h"
#include "xdeploy/core/deployment.h"

namespace xd {

class TerraformCommands {
 public:
  explicit TerraformCommands(TerraformSettings settings) : s_(std::move(settings)) {}

  std::vector<std::string> init() const;
  // What one step's plan needs besides the deployment.
  struct PlanScope {
    std::optional<std::string> replace;  // -replace=ADDR
    std::vector<std::string> targets;    // -target=ADDR (first deploy, forced replace of prod)
    std::optional<Color> verified;       // -var=verified=C: only after C passed the gate
  };
  // A saved plan for one step: -detailed-exitcode tells "no changes" (0) from
  // "changes" (2), so a step whose goal holds costs one invocation. -json: the guard
  // reads the planned changes from the stream (plan_stream.h), so no `show -json`
  // (a second provider start) follows.
  std::vector<std::string> plan(const Deployment& target, const PlanScope& scope,
                                const std::string& plan_file) const;
  // A refresh, as a plan that is checked before anything is written (plan_file.h
  // compares its two states; a refresh that drops an object is refused) and applied
  // with apply_plan(). Never `apply -refresh-only -auto-approve`: that writes whatever
  // the refresh saw, and a wrong account makes Terraform forget prod (issue 15).
  // `targets` narrow it to what must be read (empty: everything, for `status --refresh`).
  std::vector<std::string> refresh_plan(const Deployment& deployment,
                                        const std::vector<std::string>& targets,
                                        const std::string& plan_file) const;
  // The state itself, raw (format version 4): what exists now, even when outputs
  // are stale. Not `show -json`: that starts every provider plugin for its schema
  // (seconds with hashicorp/aws); state pull loads no provider and takes no lock.
  std::vector<std::string> state_pull() const;
  // Applying a saved plan needs no -auto-approve and takes no -var: the
  // variables are inside the plan.
  std::vector<std::string> apply_plan(const std::string& plan_file) const;

  const TerraformSettings& settings() const { return s_; }

 private:
  std::vector<std::string> base(const char* subcommand) const;
  TerraformSettings s_;
};

// argv with the values of secret-looking -var arguments replaced by "***", for
// logs and history (secrets belong in TF_VAR_*, but users pass `-- -var=...`).
std::vector<std::string> redact_secrets(std::vector<std::string> argv);

// Go duration syntax for -lock-timeout ("30s", "1500ms").
std::string go_duration(std::chrono::milliseconds d);

}  // namespace xd
