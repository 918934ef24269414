#pragma once
// Where a working dir's Terraform state lives, found the way Terraform finds
// it: the backend configuration `terraform init` saved in
// .terraform/terraform.tfstate (backend.tf plus any -backend-config), the
// workspace (.terraform/environment, TF_WORKSPACE), and the environment
// variables Terraform's S3 backend also reads (AWS_ENDPOINT_URL_S3,
// AWS_REGION, ...). xdeploy keeps its own objects next to that state:
//   <state key>.xdeploy/lock       the operation lock
//   <state key>.xdeploy/history/   one object per operation
#include <filesystem>
#include <optional>
#include <string>

#include "xdeploy/s3/aws_credentials.h"
#include "xdeploy/s3/s3_address.h"

namespace xd {

struct RemoteState {
  s3::Bucket bucket;
  std::string state_key;  // the workspace's key, as Terraform computes it
  s3::CredentialHints credentials;
  std::string lock_key() const { return state_key + ".xdeploy/lock"; }
  std::string history_prefix() const { return state_key + ".xdeploy/history/"; }
};

struct BackendFinding {
  std::string type;                  // "local" (also: not initialised), "s3", "gcs", ...
  std::optional<RemoteState> state;  // set for "s3"
  bool initialised = false;          // .terraform/terraform.tfstate exists
  std::string error;                 // unreadable, or an s3 backend missing bucket/key/region
};

// Reads <working_dir>/.terraform/terraform.tfstate (the backend Terraform was
// initialised with; absent: local state, or not initialised yet).
BackendFinding find_backend(const std::filesystem::path& working_dir, const s3::GetEnv& env);

}  // namespace xd
