#include "xdeploy/remote/remote_state.h"

#include <map>

#include <catch2/catch.hpp>

#include "support/fake_env.h"
#include "support/scoped_temp_dir.h"
#include "xdeploy/fs/atomic_file.h"

using xd::testing::env_of;
using xd::testing::ScopedTempDir;

namespace xd {
namespace {

void saved_backend(const ScopedTempDir& dir, const std::string& json) {
  std::filesystem::create_directories(dir / ".terraform");
  REQUIRE(write_file_atomically(dir / ".terraform" / "terraform.tfstate", json, 0644).empty());
}

// What `terraform init` (1.11) saves for an S3 backend, trimmed to the fields read here.
const char* kSaved = R"({"version":3,"terraform_version":"1.11.4","backend":{"type":"s3",
  "config":{"bucket":"team-state","key":"app/terraform.tfstate","region":"eu-central-1",
  "use_lockfile":true,"use_path_style":true,"endpoints":{"s3":"http://127.0.0.1:4566"},
  "access_key":null,"secret_key":null,"profile":null,"workspace_key_prefix":null},"hash":1}})";

}  // namespace

TEST_CASE("no saved backend, or a local one: local state") {
  ScopedTempDir dir;
  auto f = find_backend(dir.path(), env_of({}));
  CHECK(f.type == "local");
  CHECK_FALSE(f.initialised);
  CHECK_FALSE(f.state);
  saved_backend(dir, R"({"version":3,"terraform_version":"1.11.4"})");
  f = find_backend(dir.path(), env_of({}));
  CHECK(f.type == "local");
  CHECK(f.initialised);
  CHECK(f.error.empty());
}

TEST_CASE("an S3 backend: bucket, key, region, endpoint, path style, and the lock next to it") {
  ScopedTempDir dir;
  saved_backend(dir, kSaved);
  const auto f = find_backend(dir.path(), env_of({{"AWS_ENDPOINT_URL_S3", "http://ignored"}}));
  REQUIRE(f.state);
  CHECK(f.type == "s3");
  CHECK(f.state->bucket.name == "team-state");
  CHECK(f.state->bucket.region == "eu-central-1");
  CHECK(f.state->bucket.endpoint == "http://127.0.0.1:4566");  // the backend's own wins
  CHECK(f.state->bucket.path_style);
  CHECK(f.state->state_key == "app/terraform.tfstate");
  CHECK(f.state->lock_key() == "app/terraform.tfstate.xdeploy/lock");
  CHECK(f.state->history_prefix() == "app/terraform.tfstate.xdeploy/history/");
}

TEST_CASE("the environment fills what the backend leaves out, as for Terraform") {
  ScopedTempDir dir;
  saved_backend(dir, R"({"backend":{"type":"s3","config":{"bucket":"b","key":"k",
    "access_key":"AKIACFG","secret_key":"cfg","profile":"ci"}}})");
  const auto f = find_backend(
      dir.path(),
      env_of({{"AWS_REGION", "us-west-2"}, {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"}}));
  REQUIRE(f.state);
  CHECK(f.state->bucket.region == "us-west-2");
  CHECK(f.state->bucket.endpoint == "http://127.0.0.1:9000");
  CHECK_FALSE(f.state->bucket.path_style);
  CHECK(f.state->credentials.access_key == "AKIACFG");
  CHECK(f.state->credentials.profile == "ci");
}

TEST_CASE("another workspace's state and lock live under the workspace prefix") {
  ScopedTempDir dir;
  saved_backend(dir, kSaved);
  REQUIRE(write_file_atomically(dir / ".terraform" / "environment", "staging", 0644).empty());
  auto f = find_backend(dir.path(), env_of({}));
  REQUIRE(f.state);
  CHECK(f.state->state_key == "env:/staging/app/terraform.tfstate");
  f = find_backend(dir.path(), env_of({{"TF_WORKSPACE", "default"}}));
  CHECK(f.state->state_key == "app/terraform.tfstate");
}

TEST_CASE("an S3 backend without a region, or a damaged file, is an error that says what to do") {
  ScopedTempDir dir;
  saved_backend(dir, R"({"backend":{"type":"s3","config":{"bucket":"b","key":"k"}}})");
  auto f = find_backend(dir.path(), env_of({}));
  CHECK_FALSE(f.state);
  CHECK_THAT(f.error, Catch::Contains("has no region"));
  saved_backend(dir, "{not json");
  f = find_backend(dir.path(), env_of({}));
  CHECK_THAT(f.error, Catch::Contains("is not JSON (run `terraform init` again)"));
  saved_backend(dir, R"({"backend":{"type":"gcs","config":{}}})");
  f = find_backend(dir.path(), env_of({}));
  CHECK(f.type == "gcs");
  CHECK_FALSE(f.state);
}

}  // namespace xd
