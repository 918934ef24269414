// The S3 client against a real S3 speaker on 127.0.0.1 (the AWS endpoint
// emulator, which answers as the S3 API reference says: tests/aws_emulator).
#include "xdeploy/s3/s3_client.h"

#include <algorithm>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "real_terraform/real_terraform.h"
#include "support/scoped_temp_dir.h"

using xd::testing::ScopedTempDir;

namespace xd::s3 {
namespace {

const Credentials kCredentials{"AKIATEST", "very-secret-key", "session-token-x", "test"};

struct World {
  ScopedTempDir dir;
  xd::testing::AwsEmulator emu{{dir / "emu"}};
  Client client(const std::string& bucket = "state", ClientOptions options = {}) const {
    return Client({bucket, "eu-west-1", emu.endpoint(), true}, kCredentials, options);
  }
};

void no_secret_in(const Answer& a) {
  CHECK_THAT(a.error, !Catch::Contains("very-secret-key"));
  CHECK_THAT(a.error, !Catch::Contains("session-token-x"));
}

}  // namespace

TEST_CASE("create-only writes, compare-and-swap, reads and conditional deletes", "[s3]") {
  World w;
  const auto c = w.client();
  CHECK(c.head_bucket().outcome == Outcome::NotFound);
  REQUIRE(c.create_bucket().ok());
  REQUIRE(c.head_bucket().ok());

  const std::string key = "app/terraform.tfstate.xdeploy/lock";
  const auto first = c.put_if_absent(key, R"({"holder":"a"})");
  REQUIRE(first.ok());
  REQUIRE_FALSE(first.etag.empty());
  const auto second = c.put_if_absent(key, R"({"holder":"b"})");
  CHECK(second.outcome == Outcome::PreconditionFailed);
  CHECK(second.error_code == "PreconditionFailed");
  CHECK(second.error == "PUT s3://state/" + key + ": S3 HTTP 412 PreconditionFailed");
  no_secret_in(second);

  auto got = c.get(key);
  REQUIRE(got.ok());
  CHECK(got.body == R"({"holder":"a"})");
  CHECK(got.etag == first.etag);
  CHECK(c.head(key).etag == first.etag);

  // Compare-and-swap on the ETag.
  CHECK(c.put_if_match(key, "x", "\"0000\"").outcome == Outcome::PreconditionFailed);
  const auto swapped = c.put_if_match(key, R"({"holder":"a","n":2})", first.etag);
  REQUIRE(swapped.ok());
  CHECK(c.put_if_match("app/absent", "x", first.etag).outcome == Outcome::NotFound);

  // Delete only what was read: the old ETag no longer matches.
  CHECK(c.delete_if_match(key, first.etag).outcome == Outcome::PreconditionFailed);
  CHECK(c.get(key).ok());
  CHECK(c.delete_if_match(key, swapped.etag).ok());
  CHECK(c.get(key).outcome == Outcome::NotFound);
  CHECK(c.delete_if_match(key, swapped.etag).outcome == Outcome::NotFound);
  CHECK(c.head("app/absent").outcome == Outcome::NotFound);
}

TEST_CASE("keys with spaces, plus signs and UTF-8 survive write, read and listing", "[s3]") {
  World w;
  const auto c = w.client();
  REQUIRE(c.create_bucket().ok());
  const std::vector<std::string> keys{"h/a b.json", "h/a+b.json", "h/é~_-.json", "h/x=y&z.json"};
  for (const auto& k : keys) {
    INFO(k);
    REQUIRE(c.put_if_absent(k, k).ok());
    CHECK(c.get(k).body == k);
  }
  const auto listed = c.list("h/");
  REQUIRE(listed.error.empty());
  std::vector<std::string> names;
  for (const auto& o : listed.objects) names.push_back(o.key);
  auto sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  CHECK(names == sorted);
}

TEST_CASE("a listing follows continuation tokens, stops at max_keys, honours start_after", "[s3]") {
  World w;
  ClientOptions small;
  small.page_size = 3;
  const auto c = w.client("state", small);
  REQUIRE(c.create_bucket().ok());
  for (int i = 0; i < 8; ++i) REQUIRE(c.put_if_absent(fmt::format("h/{:02}", i), "x").ok());
  REQUIRE(c.put_if_absent("other", "x").ok());

  const auto all = c.list("h/");
  REQUIRE(all.error.empty());
  CHECK(all.objects.size() == 8);
  CHECK(all.requests == 3);  // 3 + 3 + 2
  CHECK(all.next_token.empty());

  const auto some = c.list("h/", 4);
  CHECK(some.objects.size() == 4);
  CHECK(some.objects.back().key == "h/03");
  CHECK_FALSE(some.next_token.empty());

  const auto after = c.list("h/", 0, "h/05");
  REQUIRE(after.objects.size() == 2);
  CHECK(after.objects.front().key == "h/06");

  const auto missing = w.client("no-such-bucket").list("h/");
  CHECK(missing.error == "list s3://no-such-bucket/h/: S3 HTTP 404 NoSuchBucket");
}

TEST_CASE("409 ConditionalRequestConflict is retried, then reported", "[s3]") {
  World w;
  const auto c = w.client();
  REQUIRE(c.create_bucket().ok());
  w.emu.arm({{"action", "PutObject"},
             {"error", "ConditionalRequestConflict"},
             {"status", 409},
             {"count", 2}});
  CHECK(c.put_if_absent("k", "v").ok());
  w.emu.arm({{"action", "DeleteObject"}, {"error", "ConditionalRequestConflict"}, {"status", 409}});
  const auto etag = c.get("k").etag;
  const auto a = c.delete_if_match("k", etag);
  CHECK(a.outcome == Outcome::Failed);
  CHECK(a.error == "DELETE s3://state/k: S3 HTTP 409 ConditionalRequestConflict");
  w.emu.clear_faults();
  CHECK(c.get("k").ok());
}

TEST_CASE("no answer at all is a transport failure, not a verdict", "[s3]") {
  ClientOptions quick;
  quick.timeout = std::chrono::milliseconds(2000);
  // Port 9 (discard) on loopback: nothing listens, the connection is refused.
  const Client c({"state", "us-east-1", "http://127.0.0.1:9", true}, kCredentials, quick);
  const auto a = c.put_if_absent("k", "v");
  CHECK_FALSE(a.answered);
  CHECK(a.outcome == Outcome::Failed);
  CHECK_THAT(a.error, Catch::StartsWith("PUT s3://state/k: "));
  no_secret_in(a);
}

TEST_CASE("bucket settings: versioning, encryption and the public access block", "[s3]") {
  World w;
  const auto c = w.client();
  REQUIRE(c.create_bucket().ok());
  CHECK(
      xml_value(c.get_bucket_config("versioning").body, "VersioningConfiguration/Status").empty());
  const std::string versioning =
      "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Status>Enabled</Status></VersioningConfiguration>";
  REQUIRE(c.put_bucket_config("versioning", versioning).ok());
  CHECK(xml_value(c.get_bucket_config("versioning").body, "VersioningConfiguration/Status") ==
        "Enabled");
  CHECK(c.get_bucket_config("publicAccessBlock").outcome == Outcome::NotFound);
  const int before = c.requests();
  c.head("x");
  CHECK(c.requests() == before + 1);
}

}  // namespace xd::s3
