#include "outputs_parser.h"

#include <catch2/catch.hpp>

using namespace xd;

namespace {
const char* kTwoSlots = R"({
  "active": {"sensitive": false, "type": "string", "value": "green"},
  "health_url": {"sensitive": false, "type": "string", "value": "http://203.0.113.7/health"},
  "slots": {"sensitive": false, "type": ["object", {}], "value": {
    "blue": {"health_url": "http://198.51.100.1/health", "instance_name": "web-blue", "public_ip": "198.51.100.1"},
    "green": {"health_url": "http://198.51.100.2/health", "instance_name": "web-green", "public_ip": "198.51.100.2"}}},
  "static_ip": {"sensitive": false, "type": "string", "value": "203.0.113.7"}
})";

std::string parse_error(const std::string& text) {
  OutputsError e;
  CHECK_FALSE(parse_outputs(text, &e));
  return e.reason;
}
}  // namespace

TEST_CASE("an empty state is nothing deployed") {
  OutputsError e;
  auto s = parse_outputs("{}\n", &e);
  REQUIRE(s);
  CHECK(s->deployment.empty());
  CHECK(s->slots.empty());
  CHECK_FALSE(s->static_ip);
}

TEST_CASE("two slots: the active one from `active`, the other inactive") {
  OutputsError e;
  auto s = parse_outputs(kTwoSlots, &e);
  REQUIRE(s);
  CHECK(s->deployment == Deployment{Color::Green, Color::Blue});
  CHECK(s->slot(Color::Blue)->instance_name == "web-blue");
  CHECK(s->slot(Color::Green)->health_url == "http://198.51.100.2/health");
  CHECK(*s->static_ip == "203.0.113.7");
  CHECK(*s->public_health_url == "http://203.0.113.7/health");
}

TEST_CASE("a slot without the static IP is inactive (half-done first deploy)") {
  OutputsError e;
  auto s = parse_outputs(
      R"({"active":{"value":null},"slots":{"value":{"blue":{"instance_name":"web-blue",
    "public_ip":"1.2.3.4","health_url":"http://1.2.3.4/health"}}}})",
      &e);
  REQUIRE(s);
  CHECK_FALSE(s->deployment.active);
  CHECK(s->deployment.inactive == Color::Blue);
}

TEST_CASE("each slot's build and the current build tell a stale slot") {
  OutputsError e;
  auto s =
      parse_outputs(R"({"active":{"value":"blue"},"current_build":{"value":"bbb"},"slots":{"value":{
    "blue":{"instance_name":"web-blue","public_ip":"1.2.3.4","health_url":"http://1.2.3.4/health","build":"aaa"},
    "green":{"instance_name":"web-green","public_ip":"1.2.3.5","health_url":"http://1.2.3.5/health","build":"bbb"}}}})",
                    &e);
  REQUIRE(s);
  CHECK(s->stale(Color::Blue));
  CHECK_FALSE(s->stale(Color::Green));
  CHECK(*s->current_build == "bbb");
}

TEST_CASE("two slots and the IP attached to neither (an interrupted promote) is reported as such") {
  OutputsError e;
  auto s = parse_outputs(R"({"slots":{"value":{
    "blue":{"instance_name":"web-blue","public_ip":"1.2.3.4","health_url":"http://1.2.3.4/health"},
    "green":{"instance_name":"web-green","public_ip":"1.2.3.5","health_url":"http://1.2.3.5/health"}}}})",
                         &e);
  REQUIRE(s);
  CHECK(s->deployment.detached_pair);
  CHECK_FALSE(s->deployment.active);
  CHECK_FALSE(s->deployment.inactive);
  CHECK(s->deployment.has(Color::Blue));
  CHECK(s->deployment.describe() == "blue and green deployed, the static IP attached to neither");
}

TEST_CASE("states xdeploy does not understand are errors, never guesses") {
  CHECK_THAT(parse_error("{not json"), Catch::Contains("malformed JSON"));
  CHECK_THAT(parse_error("[]"), Catch::Contains("object"));
  CHECK_THAT(parse_error(R"({"active":{"value":"purple"},"slots":{"value":{}}})"),
             Catch::Contains("purple"));
  CHECK_THAT(parse_error(R"({"slots":{"value":{"teal":{"instance_name":"x","health_url":"y"}}}})"),
             Catch::Contains("teal"));
  CHECK_THAT(parse_error(R"({"active":{"value":"green"},"slots":{"value":{}}})"),
             Catch::Contains("no green slot"));
  CHECK_THAT(parse_error(R"({"slots":{"value":{"blue":{"instance_name":7,"health_url":"y"}}}})"),
             Catch::Contains("instance_name is not a string"));
  CHECK_THAT(parse_error(R"({"active":{"sensitive":false}})"), Catch::Contains("no value"));
}

TEST_CASE("a slot whose outputs are missing is half-built, not unreadable") {
  OutputsError error;
  auto s = parse_outputs(
      R"({"active":{"value":"blue"},"slots":{"value":{
          "blue":{"instance_name":"web-blue","public_ip":"1.2.3.4","health_url":"http://1.2.3.4/health"},
          "green":{"instance_name":null}}}})",
      &error);
  REQUIRE(s);
  CHECK(s->slot(Color::Blue)->broken.empty());
  CHECK_THAT(s->slot(Color::Green)->broken, Catch::Contains("instance_name"));
  CHECK(s->deployment.inactive == Color::Green);
}
