#pragma once
// `xdeploy init --backend s3 --bucket B [--key K] [--region R] [--endpoint URL]`:
// puts the working dir's Terraform state in S3, so a team and its CI runners
// share one state, one deploy lock and one history.
//   1. the bucket: created if missing (versioned, SSE-S3, all public access
//      blocked); an existing one is only inspected (what it lacks: the command);
//   2. a local state with resources is moved there (`terraform init
//      -migrate-state -force-copy`) only when the key holds no state yet: an
//      existing remote state is never overwritten by surprise (exit 4, nothing
//      written);
//   3. backend.tf in -C, then `terraform init`; the moved local state file is
//      renamed terraform.tfstate.moved-to-s3 so nothing reads it by mistake.
#include <string>

#include "xdeploy/app/app_options.h"
#include "xdeploy/app/console.h"
#include "xdeploy/process/subprocess.h"

namespace xd {

struct InitBackendRequest {
  AppOptions options;  // chdir, terraform binary, force
  std::string bucket;
  std::string key;
  std::string region;    // empty: AWS_REGION, AWS_DEFAULT_REGION
  std::string endpoint;  // empty: AWS (else an S3-compatible endpoint, path-style)
};

int run_init_s3_backend(const InitBackendRequest& request, CommandRunner& runner, Console& console);

// Whether a local state file holds any resource (what a migration would move).
bool local_state_has_resources(const std::string& state_file_text);

}  // namespace xd
