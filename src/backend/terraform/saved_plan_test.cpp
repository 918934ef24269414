#include "saved_plan.h"

#include <zip.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "support/scoped_temp_dir.h"

using namespace xd;
using xd::testing::ScopedTempDir;

namespace {

std::string state_with(const std::string& resources) {
  return R"({"version":4,"terraform_version":"1.11.4","serial":3,"lineage":"l","outputs":{},"resources":[)" +
         resources + "]}";
}

std::string resource(const std::string& module, const std::string& type, const std::string& attrs) {
  return std::string(R"({"mode":"managed",)") +
         (module.empty() ? "" : R"("module":")" + module + R"(",)") + R"("type":")" + type +
         R"(","name":"this","provider":"p","instances":[{"schema_version":0,"attributes":)" +
         attrs + "}]}";
}

// A plan file as Terraform writes it: a zip with tfplan, tfstate and tfstate-prev.
void write_plan(const std::string& path, const std::string& prev, const std::string& refreshed) {
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  REQUIRE(z);
  static std::string tfplan = "protobuf, not read by xdeploy";
  for (const auto& [name, text] : {std::pair<const char*, const std::string*>{"tfplan", &tfplan},
                                   {"tfstate", &refreshed},
                                   {"tfstate-prev", &prev}}) {
    zip_source_t* src = zip_source_buffer(z, text->data(), text->size(), 0);
    REQUIRE(zip_file_add(z, name, src, ZIP_FL_OVERWRITE) >= 0);
  }
  REQUIRE(zip_close(z) == 0);
}

const std::string kBlue =
    resource(R"(module.slot[\"blue\"])", "aws_lightsail_instance",
             R"({"name":"web-blue","public_ip_address":"10.0.0.1","is_static_ip":false})");
const std::string kBlueFresh =
    resource(R"(module.slot[\"blue\"])", "aws_lightsail_instance",
             R"({"name":"web-blue","public_ip_address":"10.0.0.9","is_static_ip":false})");
const std::string kIp = resource("", "aws_lightsail_static_ip", R"({"ip_address":"10.9.9.9"})");

}  // namespace

TEST_CASE("the plan file's two states: fresh addresses and nothing dropped") {
  ScopedTempDir dir;
  const auto path = (dir.path() / "p.tfplan").string();
  write_plan(path, state_with(kBlue + "," + kIp), state_with(kBlueFresh + "," + kIp));
  std::string error;
  auto states = read_saved_plan_states(path, &error);
  REQUIRE(states);
  CHECK(states->before_refresh.public_ips.at(Color::Blue) == "10.0.0.1");
  CHECK(states->refreshed.public_ips.at(Color::Blue) == "10.0.0.9");
  CHECK(dropped_by_refresh(*states).empty());
}

TEST_CASE("a refresh that lost the static IP and an instance names both") {
  ScopedTempDir dir;
  const auto path = (dir.path() / "p.tfplan").string();
  write_plan(path, state_with(kBlue + "," + kIp), state_with(""));
  std::string error;
  auto states = read_saved_plan_states(path, &error);
  REQUIRE(states);
  CHECK(dropped_by_refresh(*states) ==
        std::vector<std::string>{"aws_lightsail_static_ip.this",
                                 "module.slot[\"blue\"].aws_lightsail_instance.this"});
}

TEST_CASE("a file that is not a plan zip, or lacks a state, is an error with a reason") {
  ScopedTempDir dir;
  const auto path = (dir.path() / "p.tfplan").string();
  std::string error;
  CHECK_FALSE(read_saved_plan_states(path, &error));
  CHECK_THAT(error, Catch::Contains("cannot open"));
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("{\"fake\": true}", f);
    std::fclose(f);
  }
  CHECK_FALSE(read_saved_plan_states(path, &error));
  CHECK_THAT(error, Catch::Contains("zip"));
}
