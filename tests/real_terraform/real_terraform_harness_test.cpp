// The C++ harness end to end: real terraform, the mirror's aws provider and the
// emulator, on a one-resource config (a static IP: no instance wait, so fast),
// with a fault armed between two verbs.
#include <catch2/catch.hpp>

#include <fstream>

#include "real_terraform/real_terraform.h"
#include "support/scoped_temp_dir.h"

using namespace xd::testing;

namespace {

const char* kConfig = R"(terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_lightsail_static_ip" "this" {
  name = "harness-ip"
}

output "ip" {
  value = aws_lightsail_static_ip.this.ip_address
}
)";

}  // namespace

TEST_CASE("real terraform applies and destroys against the emulator through the C++ harness") {
  const RealTerraform tf = require_real_terraform();  // or SKIPPED, exit 77
  xd::testing::ScopedTempDir tmp("xd-realtf-cpp");
  const auto config = tmp.path() / "cfg";
  std::filesystem::create_directories(config);
  std::ofstream(config / "main.tf") << kConfig;

  AwsEmulator emu({.state_dir = tmp.path() / "emulator"});
  const auto env = configure_real_terraform(tmp.path(), config, emu.endpoint());
  auto terraform = [&](std::vector<std::string> args) {
    args.insert(args.begin(), tf.terraform);
    args.push_back("-no-color");
    return run_child({args, env, config}, std::chrono::minutes(10));
  };

  auto r = terraform({"init", "-input=false"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  r = terraform({"apply", "-auto-approve", "-input=false"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto ip = emu.state()["staticIps"]["harness-ip"]["ipAddress"].get<std::string>();
  CHECK(r.out.find("ip = \"" + ip + "\"") != std::string::npos);

  emu.arm({{"action", "ReleaseStaticIp"},
           {"error", "InvalidInputException"},
           {"message", "injected: no"}});
  r = terraform({"destroy", "-auto-approve", "-input=false"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("injected: no") != std::string::npos);
  CHECK(emu.state()["staticIps"].contains("harness-ip"));

  emu.clear_faults();
  r = terraform({"destroy", "-auto-approve", "-input=false"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(emu.state()["staticIps"].empty());

  int faulted = 0;
  for (const auto& call : emu.calls()) faulted += call.value("fault", false) ? 1 : 0;
  CHECK(faulted == 1);
  CHECK(emu.stop() == 0);
}
