#include "state_reader.h"

#include <catch2/catch.hpp>

#include "state_pull.h"

using namespace xd;

namespace {

// Two slots as the outputs of the last complete apply (blue active) recorded them.
const char* kOutputs = R"({
  "active": {"value": "blue"},
  "slots": {"value": {
    "blue": {"instance_name": "web-blue", "public_ip": "10.9.9.9", "health_url": "http://10.9.9.9:8080/health"},
    "green": {"instance_name": "web-green", "public_ip": "10.0.0.2", "health_url": "http://10.0.0.2:8080/health"}}},
  "static_ip": {"value": "10.9.9.9"},
  "health_url": {"value": "http://10.9.9.9:8080/health"}
})";

StateFacts two_slots() {
  StateFacts f;
  f.instances = {{Color::Blue, "web-blue"}, {Color::Green, "web-green"}};
  f.public_ips = {{Color::Blue, "10.9.9.9"}, {Color::Green, "10.0.0.2"}};
  f.held_static_ip = {{Color::Blue, true}, {Color::Green, false}};
  f.firewalls = {Color::Blue, Color::Green};
  f.attached_to = "web-blue";
  f.static_ip = "10.9.9.9";
  f.outputs_json = kOutputs;
  return f;
}

ClusterState read(const StateFacts& f) {
  std::string error;
  auto r = read_cluster_state(f, &error);
  INFO(error);
  REQUIRE(r);
  return r->state;
}

}  // namespace

TEST_CASE("the recorded state, when nothing moved since the last refresh") {
  const auto s = read(two_slots());
  CHECK(s.deployment.active == Color::Blue);
  CHECK(s.deployment.inactive == Color::Green);
  CHECK(s.slot(Color::Green)->health_url == "http://10.0.0.2:8080/health");
  CHECK_FALSE(s.slot(Color::Blue)->address_unknown);
  CHECK(s.public_health_url == "http://10.9.9.9:8080/health");
}

// An apply interrupted after AWS attached the IP to green, before Terraform recorded the
// attachment: the state has none. Only a read that refreshed green knows green holds it.
TEST_CASE("no attachment recorded: a holder read just now answers on the static IP") {
  auto f = two_slots();
  f.attached_to.reset();
  f.public_ips = {{Color::Blue, "10.0.0.8"}, {Color::Green, "10.9.9.9"}};
  f.held_static_ip = {{Color::Blue, false}, {Color::Green, true}};
  CHECK(read(f).slot(Color::Green)->address_unknown);  // as of an older refresh: unknown
  f.read_now = {Color::Green};
  const auto s = read(f);
  CHECK_FALSE(s.slot(Color::Green)->address_unknown);
  CHECK(s.slot(Color::Green)->public_ip == "10.9.9.9");
  CHECK(s.slot(Color::Green)->health_url == "http://10.9.9.9:8080/health");
  CHECK(s.slot(Color::Blue)->health_url == "http://10.0.0.8:8080/health");
}

// What a promote's apply leaves: the attachment moved, the instances as of the plan's refresh.
TEST_CASE("after an IP move: the new holder answers on the static IP, the old one is unknown") {
  auto f = two_slots();
  f.attached_to = "web-green";
  const auto s = read(f);
  CHECK(s.deployment.active == Color::Green);  // the outputs still say blue: resources win
  CHECK(s.slot(Color::Green)->public_ip == "10.9.9.9");
  CHECK(s.slot(Color::Green)->health_url == "http://10.9.9.9:8080/health");
  CHECK(s.slot(Color::Blue)->address_unknown);
  CHECK(s.slot(Color::Blue)->public_ip.empty());
  CHECK(s.slot(Color::Blue)->health_url.empty());
}

TEST_CASE("a half-built slot is broken, with why; it is never unreadable") {
  auto tainted = two_slots();
  tainted.tainted = {Color::Green};
  CHECK_THAT(read(tainted).slot(Color::Green)->broken, Catch::Contains("tainted"));

  auto no_firewall = two_slots();
  no_firewall.firewalls = {Color::Blue};
  CHECK_THAT(read(no_firewall).slot(Color::Green)->broken, Catch::Contains("firewall"));

  auto no_outputs = two_slots();
  no_outputs.outputs_json =
      R"({"active":{"value":"blue"},"slots":{"value":{"blue":{"instance_name":"web-blue","health_url":"http://10.9.9.9:8080/health"},"green":{"instance_name":null}}}})";
  const auto s = read(no_outputs);
  CHECK_THAT(s.slot(Color::Green)->broken, Catch::Contains("instance_name"));
  CHECK(s.slot(Color::Blue)->broken.empty());
}

TEST_CASE("the static IP detached outside Terraform and refreshed: nothing is active") {
  auto f = two_slots();
  f.attached_to.reset();
  const auto s = read(f);
  CHECK_FALSE(s.deployment.active);
  CHECK(s.deployment.detached_pair);
}

TEST_CASE("with_host swaps only the host") {
  CHECK(with_host("http://1.2.3.4:8080/health", "5.6.7.8") == "http://5.6.7.8:8080/health");
  CHECK(with_host("https://1.2.3.4/health", "5.6.7.8") == "https://5.6.7.8/health");
  CHECK(with_host("no-scheme", "5.6.7.8").empty());
}
