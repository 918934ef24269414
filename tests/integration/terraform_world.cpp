#include "integration/terraform_world.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <catch2/catch.hpp>

#include <fstream>

namespace xd::testing {

namespace fs = std::filesystem;
using nlohmann::json;

TerraformWorld::TerraformWorld() : dir_(tmp_.path() / "terraform") {
  // The real module files, so the fake sees the real variable declarations.
  fs::create_directories(dir_);
  for (const auto& entry : fs::recursive_directory_iterator(TERRAFORM_MODULE_DIR)) {
    const auto rel = fs::relative(entry.path(), TERRAFORM_MODULE_DIR);
    const auto first = rel.begin()->string();
    if (first == ".terraform" || first == ".xdeploy" || first == "tests") continue;
    if (entry.is_directory())
      fs::create_directories(dir_ / rel);
    else if (entry.path().extension() == ".tf")
      fs::copy_file(entry.path(), dir_ / rel);
  }
  write_fake_config("1");
  ip = std::make_unique<StaticIpSimulator>(
      dir_ / "terraform.tfstate",
      std::map<std::string, int>{{"web-blue", blue.port()}, {"web-green", green.port()}});
  write_fake_config("1");
  env["FAKE_TF_LOG"] = (tmp_.path() / "calls.jsonl").string();
  // What a user exports before deploying: the build to ship and the app's
  // secrets, as TF_VAR_* (never argv).
  std::ofstream(tmp_.path() / "falcon-xecutor.deb") << "not really a deb";
  env["TF_VAR_artifact_path"] = (tmp_.path() / "falcon-xecutor.deb").string();
  for (const char* secret :
       {"falconx_api_key", "falconx_secret_key", "falconx_passphrase", "webhook_secret"})
    env[std::string("TF_VAR_") + secret] = std::string("test-") + secret;
  env["NO_COLOR"] = "1";
}

void TerraformWorld::write_fake_config(const std::string& build, int apply_delay_ms) {
  json config{
      {"app", "web"},
      {"build", build},
      {"slots",
       {{"blue", {{"public_ip", "127.0.0.1"}, {"health_url", blue.url()}}},
        {"green", {{"public_ip", "127.0.0.1"}, {"health_url", green.url()}}}}},
      {"static_ip",
       {{"ip_address", "127.0.0.1"}, {"health_url", ip ? ip->url() : "http://127.0.0.1:1/health"}}},
      {"health", {{"attempts", 1}, {"retry_delay_ms", 50}, {"timeout_ms", 1000}}},
      {"apply_delay_ms", apply_delay_ms}};
  std::ofstream(dir_ / "fake-terraform.json") << config.dump(2);
}

std::vector<std::string> TerraformWorld::argv(const std::vector<std::string>& args) const {
  std::vector<std::string> out{XDEPLOY_BIN,
                               "--terraform",
                               FAKE_TERRAFORM_BIN,
                               "-C",
                               dir_.string(),
                               "--health-interval",
                               "50ms",
                               "--health-timeout",
                               "2s",
                               "--probe-interval",
                               "20ms",
                               "--probe-deadline",
                               "5s",
                               "--probe-successes",
                               "3"};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

ChildSpec TerraformWorld::spec(const std::vector<std::string>& args) const {
  return ChildSpec{argv(args), env, {}};
}

ChildResult TerraformWorld::xdeploy(const std::vector<std::string>& args) const {
  return run_child(spec(args));
}

json TerraformWorld::xdeploy_json(const std::vector<std::string>& args, int expected_exit) const {
  auto with_json = args;
  with_json.push_back("--json");
  auto r = xdeploy(with_json);
  INFO(fmt::format("xdeploy {}\nstdout: {}\nstderr: {}", fmt::join(args, " "), r.out, r.err));
  REQUIRE(r.exit_code == expected_exit);
  return json::parse(r.out);
}

json TerraformWorld::status() const {
  return xdeploy_json({"status"});
}

std::vector<json> TerraformWorld::calls() const {
  std::vector<json> out;
  std::ifstream in(env.at("FAKE_TF_LOG"));
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

int TerraformWorld::count(const std::string& subcommand) const {
  int n = 0;
  for (const auto& c : calls())
    if (c.value("subcommand", "") == subcommand) ++n;
  return n;
}

std::string TerraformWorld::state_text() const {
  return read_file(dir_ / "terraform.tfstate");
}

}  // namespace xd::testing
