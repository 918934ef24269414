// The state bucket's bootstrap against the emulator's S3 on 127.0.0.1.
#include "xdeploy/remote/state_bucket.h"

#include <catch2/catch.hpp>

#include "real_terraform/real_terraform.h"
#include "support/scoped_temp_dir.h"

using xd::testing::ScopedTempDir;

namespace xd {

TEST_CASE(
    "a missing bucket is created versioned, encrypted and private; an existing one is only "
    "inspected") {
  ScopedTempDir dir;
  xd::testing::AwsEmulator emu({dir / "emu"});
  const s3::Client client({"team-state", "us-east-1", emu.endpoint(), true},
                          {"AKIA", "s", "", "t"});
  const auto first = bootstrap_state_bucket(client);
  REQUIRE(first.error.empty());
  CHECK(first.created);
  CHECK(first.done.size() == 4);
  CHECK(first.advice.empty());
  CHECK(s3::xml_value(client.get_bucket_config("versioning").body,
                      "VersioningConfiguration/Status") == "Enabled");
  CHECK(s3::xml_value(client.get_bucket_config("encryption").body,
                      "ServerSideEncryptionConfiguration/Rule/ApplyServerSideEncryptionByDefault/"
                      "SSEAlgorithm") == "AES256");
  CHECK(s3::xml_value(client.get_bucket_config("publicAccessBlock").body,
                      "PublicAccessBlockConfiguration/RestrictPublicBuckets") == "true");

  const auto again = bootstrap_state_bucket(client);
  CHECK_FALSE(again.created);
  CHECK(again.done.empty());
  CHECK(again.advice.empty());

  // A bucket made elsewhere, unprotected: advice, and nothing changed.
  const s3::Client bare({"bare", "us-east-1", emu.endpoint(), true}, {"AKIA", "s", "", "t"});
  REQUIRE(bare.create_bucket().ok());
  const auto inspected = bootstrap_state_bucket(bare);
  REQUIRE(inspected.error.empty());
  REQUIRE(inspected.advice.size() == 2);
  CHECK_THAT(inspected.advice[0], Catch::Contains("aws s3api put-bucket-versioning --bucket bare"));
  CHECK_THAT(inspected.advice[1],
             Catch::Contains("aws s3api put-public-access-block --bucket bare"));
  CHECK(bare.get_bucket_config("publicAccessBlock").outcome == s3::Outcome::NotFound);

  std::string error;
  CHECK(remote_state_exists(client, "app/terraform.tfstate", error) == false);
  REQUIRE(client.put_if_absent("app/terraform.tfstate", "{}").ok());
  CHECK(remote_state_exists(client, "app/terraform.tfstate", error) == true);
}

TEST_CASE("backend.tf names the bucket, key and region, with Terraform's S3 lock file") {
  const auto text = backend_tf({"team-state", "app/terraform.tfstate", "eu-central-1"});
  CHECK_THAT(text, Catch::Contains("  backend \"s3\" {\n    bucket       = \"team-state\"\n"));
  CHECK_THAT(text, Catch::Contains("    key          = \"app/terraform.tfstate\"\n"));
  CHECK_THAT(text, Catch::Contains("    region       = \"eu-central-1\"\n"));
  CHECK_THAT(text, Catch::Contains("    use_lockfile = true"));
  CHECK_THAT(text, !Catch::Contains("access_key"));
}

TEST_CASE("bad bucket names, keys and regions are refused with the rule") {
  CHECK(check_backend_settings({"team-state", "a/terraform.tfstate", "us-east-1"}).empty());
  CHECK_THAT(check_backend_settings({"Team_State", "k", "us-east-1"}),
             Catch::StartsWith("--bucket 'Team_State' is not an S3 bucket name"));
  CHECK_THAT(check_backend_settings({"ab", "k", "us-east-1"}), Catch::Contains("3-63"));
  CHECK_THAT(check_backend_settings({"team-state", "/abs", "us-east-1"}),
             Catch::StartsWith("--key '/abs'"));
  CHECK_THAT(check_backend_settings({"team-state", "k\"x", "us-east-1"}),
             Catch::StartsWith("--key"));
  CHECK_THAT(check_backend_settings({"team-state", "k", ""}), Catch::StartsWith("--region ''"));
}

}  // namespace xd
