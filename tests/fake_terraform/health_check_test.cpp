// The data "http" gate against a real HTTP server on 127.0.0.1 (facts §5.6, §5.7).
#include <catch2/catch.hpp>

#include "test_support/fake_tf_harness.h"
#include "test_support/health_server.h"

using namespace fake_tf_test;
using nlohmann::json;

namespace {
bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("a 503 from the slot to promote fails the plan's precondition; nothing changes") {
  HealthServer server;
  Workdir w;
  w.fake_config(health_config(server.port()));
  REQUIRE(w.tf({"init"}).exit_code == 0);
  REQUIRE(w.tf({"apply", "-auto-approve", "-var=deploy=green,blue"}).exit_code == 0);
  std::string state = w.read("terraform.tfstate");
  server.set_status("/green/health", 503);
  RunResult plan = w.tf({"plan", "-no-color", "-out=tfplan", "-var=deploy=blue,green"});
  CHECK(plan.exit_code == 1);
  CHECK(has(plan.err, "Error: Resource precondition failed"));
  CHECK(has(plan.err, "data.http.health.status_code is 503"));
  CHECK(has(plan.err, "Health check failed; static IP not moved."));
  CHECK(server.hits("/green/health") == 2);  // health.attempts: 5xx is retried
  CHECK_FALSE(w.exists("tfplan"));
  RunResult apply = w.tf({"apply", "-auto-approve", "-no-color", "-var=deploy=blue,green"});
  CHECK(apply.exit_code == 1);
  CHECK(w.read("terraform.tfstate") == state);
  server.set_status("/green/health", 200);
  CHECK(w.tf({"apply", "-auto-approve", "-var=deploy=blue,green"}).exit_code == 0);
  CHECK(w.tf({"output", "-raw", "active"}).out == "green");
}

TEST_CASE("an unhealthy new slot fails at apply time: the IP is never attached") {
  HealthServer server;
  Workdir w;
  w.fake_config(health_config(server.port()));
  REQUIRE(w.tf({"init"}).exit_code == 0);
  server.set_status("/blue/health", 500);
  RunResult r = w.tf({"apply", "-auto-approve", "-no-color", "-var=deploy=blue"});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "Error: Resource precondition failed"));
  auto addresses = state_addresses(w.state());
  CHECK(std::find(addresses.begin(), addresses.end(),
                  "module.slot[\"blue\"].aws_lightsail_instance.this") != addresses.end());
  CHECK(std::find(addresses.begin(), addresses.end(),
                  "module.upgrade.aws_lightsail_static_ip_attachment.this") == addresses.end());
  json out = json::parse(w.tf({"output", "-json"}).out);
  CHECK_FALSE(out.contains("active"));  // null root outputs are not kept in state
  CHECK(out["slots"]["value"].contains("blue"));
}

TEST_CASE("a health endpoint that refuses connections is a data source error") {
  HealthServer server;
  int closed_port = 0;
  {
    HealthServer gone;
    closed_port = gone.port();
  }
  Workdir w;
  json cfg = health_config(server.port());
  cfg["slots"]["blue"]["health_url"] =
      "http://127.0.0.1:" + std::to_string(closed_port) + "/health";
  w.fake_config(cfg);
  REQUIRE(w.tf({"init"}).exit_code == 0);
  RunResult r = w.tf({"apply", "-auto-approve", "-no-color", "-var=deploy=blue"});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "Error: Error making request"));
  CHECK(has(r.err, "giving up after 2 attempt(s)"));
}
