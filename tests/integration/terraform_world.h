#pragma once
// One Terraform-backend world for an integration test: a copy of the real
// terraform/ root module in a temp dir, the fake `terraform` binary, two
// slot servers (blue, green) and the static IP simulator, all real processes
// or sockets on 127.0.0.1. Tests drive the real `xdeploy` binary against it.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/scoped_temp_dir.h"
#include "support/slot_server.h"
#include "support/static_ip_simulator.h"

namespace xd::testing {

class TerraformWorld {
 public:
  TerraformWorld();

  const std::filesystem::path& dir() const { return dir_; }
  std::vector<std::string> argv(const std::vector<std::string>& args) const;
  ChildSpec spec(const std::vector<std::string>& args) const;
  ChildResult xdeploy(const std::vector<std::string>& args) const;
  nlohmann::json xdeploy_json(const std::vector<std::string>& args, int expected_exit = 0) const;
  nlohmann::json status() const;  // `xdeploy status --json`

  // The fake's call log: one object per terraform invocation.
  std::vector<nlohmann::json> calls() const;
  int count(const std::string& subcommand) const;
  std::string state_text() const;  // terraform.tfstate as written by the fake
  // build: the artifact a new slot gets; apply_delay_ms: how long each resource operation takes.
  void write_fake_config(const std::string& build, int apply_delay_ms = 0);

  std::map<std::string, std::string> env;  // extra env for xdeploy (and so the fake)
  SlotServer blue{"blue"};
  SlotServer green{"green"};
  std::unique_ptr<StaticIpSimulator> ip;

 private:
  xd::testing::ScopedTempDir tmp_{"xd-itest"};
  std::filesystem::path dir_;
};

// A world with blue active and green inactive (`xdeploy blue`, then `xdeploy teal`).
struct TwoSlots {
  TerraformWorld w;
  TwoSlots() {
    w.xdeploy_json({"blue"});
    w.xdeploy_json({"teal"});
  }
};

}  // namespace xd::testing
