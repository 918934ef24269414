#include "state_pull.h"

#include <string>

#include <catch2/catch.hpp>

using namespace xd;

namespace {

// One slot's instance resource as `state pull` prints it, holding the given instance objects.
std::string slot_instance(const std::string& color, const std::string& instances) {
  return R"(
    {
      "module": "module.slot[\")" +
         color + R"(\"]",
      "mode": "managed",
      "type": "aws_lightsail_instance",
      "name": "this",
      "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
      "instances": [)" +
         instances + "]\n    },";
}

// The shape of real Terraform 1.11's `state pull` for two slots, green holding the static IP
// (trimmed: each resource keeps the attributes xdeploy reads and a few it does not).
const std::string kTwoSlots = R"({
  "version": 4,
  "terraform_version": "1.11.4",
  "serial": 23,
  "lineage": "0b7a2f36-8c1e-4f0e-9b55-1d2f3a4b5c6d",
  "outputs": {
    "active": {"value": "green", "type": "string"}
  },
  "resources": [
    {
      "mode": "data",
      "type": "aws_region",
      "name": "current",
      "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
      "instances": [{"schema_version": 0, "attributes": {"name": "us-east-1"}, "sensitive_attributes": []}]
    },)" + slot_instance("blue", R"(
        {
          "schema_version": 0,
          "attributes": {
            "name": "web-blue",
            "public_ip_address": "203.0.113.11",
            "user_data": "#!/bin/sh\nexport FALCONX_SECRET_KEY=s3cr3t\n",
            "tags": {"slot": "blue"}
          },
          "sensitive_attributes": [],
          "private": "bnVsbA=="
        }
      )") + slot_instance("green", R"(
        {
          "schema_version": 0,
          "attributes": {"name": "web-green", "public_ip_address": "203.0.113.12"},
          "sensitive_attributes": []
        }
      )") + R"(
    {
      "module": "module.upgrade",
      "mode": "managed",
      "type": "aws_lightsail_static_ip_attachment",
      "name": "this",
      "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
      "instances": [
        {
          "schema_version": 0,
          "attributes": {"instance_name": "web-green", "static_ip_name": "web-ip"},
          "sensitive_attributes": [],
          "dependencies": ["module.slot.aws_lightsail_instance.this"]
        }
      ]
    }
  ],
  "check_results": null
}
)";

}  // namespace

TEST_CASE("state pull: the slots, their addresses and the attachment, from the raw state") {
  std::string error;
  const auto facts = parse_state_pull(kTwoSlots, &error);
  INFO(error);
  REQUIRE(facts);
  CHECK(facts->instances ==
        std::map<Color, std::string>{{Color::Blue, "web-blue"}, {Color::Green, "web-green"}});
  CHECK(facts->public_ips.at(Color::Blue) == "203.0.113.11");
  CHECK(facts->public_ips.at(Color::Green) == "203.0.113.12");
  CHECK(facts->attached_to == "web-green");
}

TEST_CASE("state pull: reconciling with its facts corrects stale outputs") {
  std::string error;
  const auto facts = parse_state_pull(kTwoSlots, &error);
  REQUIRE(facts);
  ClusterState s;
  s.deployment = Deployment{Color::Blue, Color::Green};
  s.slots[Color::Blue] = SlotInfo{Color::Blue, "web-blue", "", "http://b", "", {}, false, ""};
  s.slots[Color::Green] = SlotInfo{Color::Green, "web-green", "", "http://g", "", {}, false, ""};
  const auto corrections = reconcile(s, *facts);
  REQUIRE(corrections.size() == 1);
  CHECK_THAT(corrections[0], Catch::Contains("attached to blue, the state says green"));
  CHECK(s.deployment == Deployment{Color::Green, Color::Blue});
}

TEST_CASE("state pull: no attachment, count-indexed and other modules' resources are ignored") {
  std::string error;
  const auto facts = parse_state_pull(R"({"version":4,"serial":3,"resources":[
    {"module":"module.slot[\"blue\"]","mode":"managed","type":"aws_lightsail_instance","name":"this",
     "instances":[{"attributes":{"name":"web-blue"}}]},
    {"module":"module.other[0]","mode":"managed","type":"aws_lightsail_instance","name":"this",
     "instances":[{"index_key":0,"attributes":{"name":"not-a-slot"}}]},
    {"module":"module.upgrade","mode":"managed","type":"terraform_data","name":"healthy",
     "instances":[{"attributes":{"id":"x"}}]}]})",
                                      &error);
  INFO(error);
  REQUIRE(facts);
  CHECK(facts->instances == std::map<Color, std::string>{{Color::Blue, "web-blue"}});
  CHECK(facts->public_ips.at(Color::Blue).empty());  // not refreshed yet: no address
  CHECK_FALSE(facts->attached_to);
}

TEST_CASE("state pull: no state at all is empty output, and means no slots") {
  std::string error;
  for (const char* empty : {"", "\n", R"({"version":4,"serial":1,"resources":[]})",
                            R"({"version":4,"serial":1,"resources":null})"}) {
    INFO(empty);
    const auto facts = parse_state_pull(empty, &error);
    REQUIRE(facts);
    CHECK(facts->instances.empty());
    CHECK_FALSE(facts->attached_to);
  }
}

TEST_CASE("state pull: garbled or foreign input is a clear error that quotes none of it") {
  const std::string secret = "s3cr3t-in-a-truncated-state";
  const std::string truncated =
      R"({"version":4,"resources":[{"instances":[{"attributes":{"user_data":")" + secret;
  struct Case {
    std::string input, says;
  };
  for (const auto& c : std::vector<Case>{
           {truncated, "not JSON (error at byte"},
           {"this is not JSON {\n", "not JSON (error at byte"},
           {"[1,2]", "not a Terraform state (no `version`)"},
           {R"({"format_version":"1.0","values":{}})", "not a Terraform state (no `version`)"},
           {R"({"version":3,"modules":[]})", "state format version 3 (xdeploy reads version 4)"},
           {R"({"version":"4x","resources":[]})", "version that is not a number"},
           {R"({"version":4,"resources":{}})", "the state has no array `resources`"},
           {R"({"version":4,"resources":[{"type":"t","name":"n"}]})",
            "a resource has no array `instances`"},
           {R"({"version":4,"resources":[{"name":"n","instances":[{}]}]})",
            "a resource has no string `type`"},
           {R"({"version":4,"resources":[7]})", "a resource is not an object"},
       }) {
    INFO(c.input);
    std::string error;
    CHECK_FALSE(parse_state_pull(c.input, &error));
    CHECK_THAT(error, Catch::StartsWith("cannot read `terraform state pull`: ") &&
                          Catch::Contains(c.says) && !Catch::Contains(secret));
  }
}
