#include "plan_json.h"

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

TEST_CASE("a plan with no resources has an empty list, unless it claimed changes") {
  std::string error;
  auto p = parse_plan_json(R"({"format_version":"1.2"})", &error, /*require_changes=*/false);
  REQUIRE(p);
  CHECK(p->changes.empty());
  CHECK_FALSE(parse_plan_json(R"({"format_version":"1.2"})", &error));
  CHECK_THAT(error, Catch::Contains("lists no resource_changes"));
}

TEST_CASE("what the guard cannot vouch for is unreadable") {
  const std::string change =
      R"({"address":"module.slot[\"green\"].aws_lightsail_instance.this","change":{"actions":["create"]}})";
  struct Case {
    std::string json;
    std::string says;
  };
  for (
      const auto& c : std::vector<Case>{
          {R"({"format_version":"1.2","resource_changes":null})", "lists no resource_changes"},
          {R"({"format_version":"1.2","resource_changes":{}})", "not a list"},
          {R"({"format_version":"1.2","resource_changes":"x"})", "not a list"},
          {R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":[]}}]})",
           "empty list of actions"},
          {R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":"create"}}]})",
           "no list of actions"},
          {R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":[1]}}]})",
           "non-text action"},
          {R"({"format_version":"2.0","resource_changes":[)" + change + "]}", "format_version"},
          {R"({"format_version":1.2,"resource_changes":[)" + change + "]}", "format_version"},
          {R"({"format_version":"1.2","errored":true,"resource_changes":[)" + change + "]}",
           "errored"},
          {R"({"format_version":"1.2","applyable":false,"resource_changes":[)" + change + "]}",
           "not applyable"},
          {R"({"format_version":"1.2","deferred_changes":[{"reason":"provider_config_unknown"}],"resource_changes":[)" +
               change + "]}",
           "deferred"},
          {"[1,2]", "not a JSON object"}}) {
    INFO(c.json);
    std::string error;
    CHECK_FALSE(parse_plan_json(c.json, &error));
    CHECK_THAT(error, Catch::Contains(c.says));
  }
}

TEST_CASE("imports and output changes are read") {
  std::string error;
  auto p = parse_plan_json(R"({"format_version":"1.2","applyable":true,"errored":false,
    "deferred_changes":[],
    "resource_changes":[{"address":"a.b","change":{"actions":["no-op"],"importing":{"id":"i-1"}}},
                        {"address":"a.c","change":{"actions":["no-op"],"importing":null}}],
    "output_changes":{"current_build":{"actions":["update"]},"active":{"actions":["no-op"]}}})",
                           &error);
  INFO(error);
  REQUIRE(p);
  CHECK(p->changes[0].importing);
  CHECK_FALSE(p->changes[1].importing);
  CHECK(p->output_changes == 1);
}

TEST_CASE("anything else is an error") {
  std::string error;
  CHECK_FALSE(parse_plan_json("garbage", &error));
  CHECK_THAT(error, Catch::Contains("cannot read the plan JSON"));
  CHECK_FALSE(parse_plan_json(R"({"resource_changes":[]})", &error));
  CHECK_FALSE(
      parse_plan_json(R"({"format_version":"1.2","resource_changes":[{"address":"x"}]})", &error));
}
