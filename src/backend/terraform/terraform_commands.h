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
  std::vector<std::string> output_json() const;
  // What one step's plan needs besides the deployment.
  struct PlanScope {
    std::optional<std::string> replace;  // -replace=ADDR
    std::vector<std::string> targets;    // -target=ADDR (first deploy, forced replace of prod)
    std::optional<Color> verified;       // -var=verified=C: only after C passed the gate
  };
  // A saved plan for one step: -detailed-exitcode tells "no changes" (0) from
  // "changes" (2), so a step whose goal holds costs one invocation.
  std::vector<std::string> plan(const Deployment& target, const PlanScope& scope,
                                const std::string& plan_file) const;
  // The refresh that corrects the slots' addresses: a refresh-only apply
  // (Lightsail changes an instance's address on every static IP attach/detach,
  // and only a refresh brings that into state). Untargeted on purpose: real
  // Terraform 1.11 refreshes a -target'ed instance but re-evaluates no root
  // output, so `slots` (its `outputs` event and the state's outputs, which
  // `status` reads) kept the old address. -json: its final `outputs` event is
  // the whole fresh state, so no `output -json` follows.
  std::vector<std::string> refresh_instances(const Deployment& deployment) const;
  std::vector<std::string> show_plan_json(const std::string& plan_file) const;
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
