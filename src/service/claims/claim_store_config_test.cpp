#include "falcon_xecutor/claims/claim_store_config.h"

#include <catch2/catch.hpp>
#include <map>

#include "support/fake_env.h"

using namespace xecutor;
using xd::testing::env_of;
using Kind = ClaimStoreSettings::Kind;

namespace {
const std::map<std::string, std::string> kCreds{{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                                {"AWS_SECRET_ACCESS_KEY", "sekrit"},
                                                {"XECUTOR_S3_REGION", "eu-west-2"}};
std::map<std::string, std::string> with(std::map<std::string, std::string> base,
                                        const std::map<std::string, std::string>& more) {
  for (const auto& [k, v] : more) base[k] = v;
  return base;
}
}  // namespace

TEST_CASE("claim store config: unset, file: and s3:// forms") {
  CHECK(load_claim_store_settings(env_of({})).kind == Kind::None);
  const auto file = load_claim_store_settings(env_of({{"XECUTOR_CLAIM_STORE", "file:/var/x"}}));
  CHECK(file.kind == Kind::File);
  CHECK(file.directory == "/var/x");
  CHECK(make_claim_store(file)->describe() == "file:/var/x");

  const auto s3 = load_claim_store_settings(
      env_of(with(kCreds, {{"XECUTOR_CLAIM_STORE", "s3://fx-claims-1/app/claims"}})));
  CHECK(s3.kind == Kind::S3);
  CHECK(s3.s3.bucket == "fx-claims-1");
  CHECK(s3.s3.prefix == "app/claims/");
  CHECK(s3.s3.region == "eu-west-2");
  CHECK(s3_object_url(s3.s3, "claims/xo-1") ==
        "https://fx-claims-1.s3.eu-west-2.amazonaws.com/app/claims/claims/xo-1");
  CHECK(make_claim_store(s3)->describe() == "s3://fx-claims-1/app/claims/");

  const auto local = load_claim_store_settings(
      env_of(with(kCreds, {{"XECUTOR_CLAIM_STORE", "s3://bucket"},
                           {"XECUTOR_S3_ENDPOINT", "http://127.0.0.1:9000/"}})));
  CHECK(local.s3.prefix.empty());
  CHECK(s3_object_url(local.s3, "claims/xo-1") == "http://127.0.0.1:9000/bucket/claims/xo-1");
}

TEST_CASE(
    "claim store config: malformed or incomplete settings stop startup, naming the variable") {
  for (const char* bad : {"file:relative", "file:", "s3://", "s3://UPPER", "s3://b/../x",
                          "http://bucket", "/var/lib/x"}) {
    INFO(bad);
    CHECK_THROWS_WITH(
        load_claim_store_settings(env_of(with(kCreds, {{"XECUTOR_CLAIM_STORE", bad}}))),
        Catch::Contains("XECUTOR_CLAIM_STORE"));
  }
  CHECK_THROWS_WITH(load_claim_store_settings(env_of({{"XECUTOR_CLAIM_STORE", "s3://bucket"}})),
                    Catch::Contains("XECUTOR_S3_REGION"));
  CHECK_THROWS_WITH(load_claim_store_settings(env_of(
                        {{"XECUTOR_CLAIM_STORE", "s3://bucket"}, {"AWS_REGION", "us-east-1"}})),
                    Catch::Contains("AWS_ACCESS_KEY_ID"));
  CHECK_THROWS_WITH(
      load_claim_store_settings(env_of(with(
          kCreds, {{"XECUTOR_CLAIM_STORE", "s3://bucket"}, {"XECUTOR_S3_ENDPOINT", "ftp://x"}}))),
      Catch::Contains("XECUTOR_S3_ENDPOINT"));
  // The secret never appears in an error.
  try {
    load_claim_store_settings(
        env_of(with(kCreds, {{"XECUTOR_CLAIM_STORE", "s3://b"}, {"XECUTOR_S3_ENDPOINT", "x"}})));
  } catch (const std::exception& e) {
    CHECK_THAT(e.what(), !Catch::Contains("sekrit"));
  }
}
