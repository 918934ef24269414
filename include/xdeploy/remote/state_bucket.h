#pragma once
// `xdeploy init --backend s3`: the backend.tf that puts the state in S3, and
// the one-time bootstrap of its bucket (versioned, encrypted, private).
#include <string>
#include <vector>

#include "xdeploy/s3/s3_client.h"

namespace xd {

struct BackendSettings {
  std::string bucket;
  std::string key = "falcon-xecutor/terraform.tfstate";
  std::string region;
};

// The backend.tf text: pure. `use_lockfile` is Terraform's own S3 lock (>= 1.10).
std::string backend_tf(const BackendSettings& settings);

// Bucket names S3 accepts (3-63 of a-z 0-9 . -, starting and ending with a letter or
// digit), keys that are not empty and do not start with '/': "" when fine, else why not.
std::string check_backend_settings(const BackendSettings& settings);

struct BootstrapReport {
  bool created = false;             // the bucket was made here
  std::vector<std::string> done;    // one line per change made
  std::vector<std::string> advice;  // an existing bucket lacking a protection: what to run
  std::string error;                // could not create or inspect it
};

// A missing bucket is created with versioning, default encryption (SSE-S3) and
// every public access blocked. An existing one is never changed: it is
// inspected, and what it lacks comes back as advice (the exact aws command).
BootstrapReport bootstrap_state_bucket(const s3::Client& client);

// Whether `key` already holds a state (HEAD): the migration from local state
// must never overwrite one by surprise. nullopt with `error` set: could not tell.
std::optional<bool> remote_state_exists(const s3::Client& client, const std::string& key,
                                        std::string& error);

}  // namespace xd
