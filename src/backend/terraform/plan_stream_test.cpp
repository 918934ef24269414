#include "plan_stream.h"

#include <catch2/catch.hpp>

using namespace xd;

namespace {

std::string change(const std::string& type, const std::string& addr, const std::string& action) {
  return R"({"@level":"info","@message":"m","type":")" + type +
         R"(","change":{"resource":{"addr":")" + addr + R"("},"action":")" + action + R"("}})";
}

std::string summary(int add, int change, int remove) {
  return R"({"@level":"info","@message":"Plan","type":"change_summary","changes":{"add":)" +
         std::to_string(add) + R"(,"change":)" + std::to_string(change) +
         R"(,"import":0,"remove":)" + std::to_string(remove) + R"(,"operation":"plan"}})";
}

}  // namespace

// The shape real Terraform 1.11.4 printed for promote's targeted plan (terraform/README.md).
TEST_CASE("a plan's changes come from planned_change events, checked against the summary") {
  PlanStreamReader r;
  r.line(R"({"@level":"info","@message":"Terraform 1.11.4","type":"version"})");
  r.line(
      change("resource_drift", R"(module.slot[\"blue\"].aws_lightsail_instance.this)", "update"));
  r.line(change("planned_change", "module.upgrade.terraform_data.healthy", "replace"));
  r.line(change("planned_change", "module.upgrade.aws_lightsail_static_ip_attachment.this",
                "replace"));
  r.line(summary(2, 0, 2));
  r.line(
      R"({"type":"outputs","outputs":{"active":{"sensitive":false,"action":"update"},"static_ip":{"sensitive":false,"action":"noop"}}})");
  CHECK(r.check().empty());
  REQUIRE(r.stream().changes.size() == 2);
  CHECK(r.stream().changes[0].actions == std::vector<std::string>{"delete", "create"});
  REQUIRE(r.stream().drift.size() == 1);
  CHECK(r.stream().drift[0].address == "module.slot[\"blue\"].aws_lightsail_instance.this");
  CHECK(r.stream().output_changes == 1);
}

TEST_CASE("a missed event, a missing summary or an unknown action is a refusal, not a pass") {
  PlanStreamReader missed;
  missed.line(change("planned_change", "module.upgrade.terraform_data.healthy", "replace"));
  missed.line(summary(2, 0, 2));  // the attachment's event never arrived
  CHECK_THAT(missed.check(), Catch::Contains("does not match"));

  PlanStreamReader no_summary;
  no_summary.line(change("planned_change", "aws_lightsail_static_ip.this", "create"));
  CHECK_THAT(no_summary.check(), Catch::Contains("no change_summary"));

  PlanStreamReader unknown;
  unknown.line(change("planned_change", "aws_lightsail_static_ip.this", "teleport"));
  unknown.line(summary(0, 0, 0));
  CHECK_THAT(unknown.check(), Catch::Contains("teleport"));

  PlanStreamReader garbled;
  garbled.line(R"({"type":"planned_change","change":{"action":"create"}})");
  garbled.line(summary(1, 0, 0));
  CHECK_THAT(garbled.check(), Catch::Contains("no resource address"));
}

TEST_CASE("a refresh-only plan: drift events, a summary of zeros, no planned change") {
  PlanStreamReader r;
  r.line("not json: a wrapper's banner");
  r.line(change("resource_drift", "aws_lightsail_static_ip.this", "delete"));
  r.line(summary(0, 0, 0));
  CHECK(r.check().empty());
  CHECK(r.stream().changes.empty());
  REQUIRE(r.stream().drift.size() == 1);
  CHECK(r.stream().drift[0].actions == std::vector<std::string>{"delete"});
}

// As Terraform 1.11 prints it: views/json/hook.go's refresh_complete (resource, id_key, id_value).
TEST_CASE("refresh_complete events say which resources the plan read from the world") {
  PlanStreamReader r;
  const auto refreshed = [](const std::string& addr) {
    return R"({"@level":"info","@message":"m","type":"refresh_complete","hook":{"resource":{"addr":")" +
           addr + R"("},"id_key":"id","id_value":"x"}})";
  };
  r.line(refreshed(R"(module.slot[\"green\"].aws_lightsail_instance.this)"));
  r.line(R"({"type":"refresh_complete","hook":{"id_key":"id"}})");  // no address: not counted
  r.line(summary(0, 0, 0));
  CHECK(r.check().empty());
  CHECK(r.stream().refreshed ==
        std::vector<std::string>{R"(module.slot["green"].aws_lightsail_instance.this)"});
}

TEST_CASE("error diagnostics keep their detail (a held state lock names its ID there)") {
  PlanStreamReader r;
  r.line(
      R"({"@level":"error","@message":"Error: Error acquiring the state lock","type":"diagnostic","diagnostic":{"severity":"error","summary":"Error acquiring the state lock","detail":"Lock Info:\n  ID: 1234"}})");
  REQUIRE(r.stream().errors.size() == 1);
  CHECK_THAT(r.stream().errors[0], Catch::Contains("ID: 1234"));
}
