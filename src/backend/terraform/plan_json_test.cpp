#include "backend/terraform/plan_json.h"

#include <catch2/catch.hpp>

using namespace xd;

TEST_CASE("resource changes are read with their actions") {
  std::string error;
  auto p = parse_plan_json(R"({"format_version":"1.2","resource_changes":[
    {"address":"module.slot[\"green\"].aws_lightsail_instance.this","change":{"actions":["create"]}},
    {"address":"module.upgrade.aws_lightsail_static_ip_attachment.this","change":{"actions":["delete","create"]}}]})",
                           &error);
  REQUIRE(p);
  REQUIRE(p->changes.size() == 2);
  CHECK(p->changes[1].actions == std::vector<std::string>{"delete", "create"});
}

TEST_CASE("a plan with no changes has an empty list") {
  std::string error;
  auto p = parse_plan_json(R"({"format_version":"1.2"})", &error);
  REQUIRE(p);
  CHECK(p->changes.empty());
}

TEST_CASE("anything else is an error") {
  std::string error;
  CHECK_FALSE(parse_plan_json("garbage", &error));
  CHECK_THAT(error, Catch::Contains("cannot read the plan JSON"));
  CHECK_FALSE(parse_plan_json(R"({"resource_changes":[]})", &error));
  CHECK_FALSE(
      parse_plan_json(R"({"format_version":"1.2","resource_changes":[{"address":"x"}]})", &error));
}
