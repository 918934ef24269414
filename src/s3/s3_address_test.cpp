#include "xdeploy/s3/s3_address.h"

#include <catch2/catch.hpp>

namespace xd::s3 {

TEST_CASE("keys and query values are encoded the way SigV4 canonicalises them") {
  CHECK(uri_encode("env/prod/terraform.tfstate", true) == "env/prod/terraform.tfstate");
  CHECK(uri_encode("a b+c/é~_-.", true) == "a%20b%2Bc/%C3%A9~_-.");
  CHECK(uri_encode("a/b", false) == "a%2Fb");
  CHECK(uri_encode("env:/x", true) == "env%3A/x");
}

TEST_CASE("the query is sorted by name and every parameter has an '='") {
  CHECK(canonical_query({{"prefix", "h/"}, {"list-type", "2"}, {"continuation-token", "a+b="}}) ==
        "continuation-token=a%2Bb%3D&list-type=2&prefix=h%2F");
  CHECK(canonical_query({{"versioning", ""}}) == "versioning=");
  CHECK(canonical_query({}).empty());
}

TEST_CASE("AWS buckets are virtual-hosted, unless the name has a dot or path style is asked") {
  Bucket b{"team-state", "eu-central-1", "", false};
  CHECK(s3_url(b, "app/terraform.tfstate.xdeploy/lock") ==
        "https://team-state.s3.eu-central-1.amazonaws.com/app/terraform.tfstate.xdeploy/lock");
  CHECK(s3_url(b, "", {{"list-type", "2"}}) ==
        "https://team-state.s3.eu-central-1.amazonaws.com/?list-type=2");
  b.name = "team.state";
  CHECK(s3_url(b, "k") == "https://s3.eu-central-1.amazonaws.com/team.state/k");
}

TEST_CASE("a custom endpoint is path-style when asked, else the bucket joins its host") {
  Bucket b{"tfstate", "us-east-1", "http://127.0.0.1:4566/", true};
  CHECK(s3_url(b, "e2e/terraform.tfstate") ==
        "http://127.0.0.1:4566/tfstate/e2e/terraform.tfstate");
  CHECK(s3_url(b, "") == "http://127.0.0.1:4566/tfstate/");
  b.path_style = false;
  b.endpoint = "https://s3.example.internal";
  CHECK(s3_url(b, "k") == "https://tfstate.s3.example.internal/k");
  CHECK(s3_uri(b, "a/b") == "s3://tfstate/a/b");
}

}  // namespace xd::s3
