// The team verbs' command line (issue 18): `init --backend s3 --bucket B [--key K]
// [--region R] [--endpoint URL]` and `unlock [--force]`.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <vector>

#include "command_line.h"

using namespace xd;

namespace {
CommandLineOutcome parse(std::initializer_list<const char*> words) {
  std::vector<const char*> argv{"xdeploy"};
  argv.insert(argv.end(), words.begin(), words.end());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST_CASE("init --backend s3 takes the bucket, key, region and endpoint") {
  auto r = parse({"init", "--backend", "s3", "--bucket", "acme-tfstate", "--region", "eu-west-1"});
  REQUIRE(r.parsed);
  CHECK(r.parsed->command == Command::Init);
  CHECK(r.parsed->init_state_backend == "s3");
  CHECK(r.parsed->init_bucket == "acme-tfstate");
  CHECK(r.parsed->init_key == "falcon-xecutor/terraform.tfstate");
  CHECK(r.parsed->init_region == "eu-west-1");
  CHECK(r.parsed->options.backend == BackendKind::Terraform);  // the global --backend is untouched

  r = parse({"-C", "infra", "init", "--backend", "s3", "--bucket", "b-1", "--key", "app/tf.tfstate",
             "--endpoint", "http://127.0.0.1:9000"});
  REQUIRE(r.parsed);
  CHECK(r.parsed->options.chdir == "infra");
  CHECK(r.parsed->init_key == "app/tf.tfstate");
  CHECK(r.parsed->init_endpoint == "http://127.0.0.1:9000");
}

TEST_CASE("init --backend s3 without a bucket, a bucket without it, or another backend: exit 2") {
  auto r = parse({"init", "--backend", "s3"});
  CHECK_FALSE(r.parsed);
  CHECK(r.exit_code == 2);
  CHECK(r.error == "init --backend s3 needs --bucket NAME (the state bucket)");
  r = parse({"init", "--bucket", "b"});
  CHECK(r.exit_code == 2);
  CHECK(r.error == "--bucket goes with --backend s3");
  r = parse({"init", "--backend", "gcs", "--bucket", "b"});
  CHECK(r.exit_code == 2);
  // Plain `init` is what it was.
  r = parse({"init"});
  REQUIRE(r.parsed);
  CHECK(r.parsed->init_state_backend.empty());
}

TEST_CASE("unlock, with or without --force") {
  auto r = parse({"unlock"});
  REQUIRE(r.parsed);
  CHECK(r.parsed->command == Command::Unlock);
  CHECK_FALSE(r.parsed->options.force);
  r = parse({"unlock", "--force"});
  REQUIRE(r.parsed);
  CHECK(r.parsed->options.force);
}
