// The shared history against the emulator's S3 on 127.0.0.1.
#include "xdeploy/remote/remote_history.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "real_terraform/real_terraform.h"
#include "support/scoped_temp_dir.h"

using xd::testing::ScopedTempDir;

namespace xd {
namespace {

const std::string kPrefix = "app/terraform.tfstate.xdeploy/history/";

nlohmann::json record(int minute, const std::string& host, const std::string& verb) {
  return {{"started_at", fmt::format("2026-12-06T09:{:02}:00.000Z", minute)},
          {"host", host},
          {"user", "ci"},
          {"verb", verb},
          {"result", "ok"}};
}

}  // namespace

TEST_CASE("records from two machines are objects never overwritten, read back newest first") {
  ScopedTempDir dir;
  xd::testing::AwsEmulator emu({dir / "emu"});
  const s3::Client client({"state", "us-east-1", emu.endpoint(), true}, {"AKIA", "s", "", "t"});
  REQUIRE(client.create_bucket().ok());
  const RemoteHistory a(client, kPrefix);
  const RemoteHistory b(client, kPrefix);
  using namespace std::chrono;
  const system_clock::time_point t0{milliseconds(1'765'000'000'000)};
  REQUIRE(a.append(record(1, "runner-a", "teal"), t0 + minutes(1)).empty());
  REQUIRE(b.append(record(2, "runner-b", "promote green"), t0 + minutes(2)).empty());
  REQUIRE(a.append(record(3, "runner-a", "rollback"), t0 + minutes(3)).empty());
  // Same millisecond, same host: still two objects.
  REQUIRE(a.append(record(3, "runner-a", "status-like twin"), t0 + minutes(3)).empty());
  CHECK(emu.state()["buckets"]["state"]["objects"].size() == 4);

  const auto all = a.read(0);
  REQUIRE(all.error.empty());
  REQUIRE(all.records.size() == 4);
  CHECK(all.records[2]["verb"] == "promote green");
  CHECK(all.records[3]["verb"] == "teal");

  const auto newest = b.read(2);
  REQUIRE(newest.records.size() == 2);
  CHECK(newest.requests == 3);  // one page of 2 keys, then 2 objects
  for (const auto& r : newest.records) CHECK(r["host"] == "runner-a");
}

TEST_CASE("a damaged object is skipped and counted; a missing bucket is an error") {
  ScopedTempDir dir;
  xd::testing::AwsEmulator emu({dir / "emu"});
  const s3::Client client({"state", "us-east-1", emu.endpoint(), true}, {"AKIA", "s", "", "t"});
  REQUIRE(client.create_bucket().ok());
  REQUIRE(client.put_if_absent(kPrefix + "0000000000000-x-1.json", "{torn").ok());
  const RemoteHistory h(client, kPrefix);
  REQUIRE(h.append(record(1, "a", "teal")).empty());
  const auto read = h.read(0);
  CHECK(read.records.size() == 1);
  CHECK(read.skipped == 1);

  const RemoteHistory missing(
      s3::Client({"nope", "us-east-1", emu.endpoint(), true}, {"AKIA", "s", "", "t"}), kPrefix);
  CHECK_THAT(missing.read(5).error, Catch::Contains("404 NoSuchBucket"));
  CHECK_THAT(missing.append(record(1, "a", "teal")), Catch::Contains("404 NoSuchBucket"));
}

}  // namespace xd
