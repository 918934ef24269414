#include "fake_config.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace fake_tf {

namespace {
FakeConfig defaults() {
  FakeConfig c;
  c.slots["blue"] = {"127.0.0.1", "http://127.0.0.1:18081/health"};
  c.slots["green"] = {"127.0.0.1", "http://127.0.0.1:18082/health"};
  return c;
}

template <typename T>
void take(const nlohmann::json& j, const char* key, T& into) {
  if (j.contains(key)) into = j.at(key).get<T>();
}

void apply_json(const nlohmann::json& j, FakeConfig& c) {
  take(j, "app", c.app);
  take(j, "build", c.build);
  take(j, "apply_delay_ms", c.apply_delay_ms);
  if (j.contains("slots")) {
    for (const auto& [color, s] : j.at("slots").items()) {
      SlotConfig slot = c.slot(color);
      take(s, "public_ip", slot.public_ip);
      take(s, "health_url", slot.health_url);
      c.slots[color] = slot;
    }
  }
  if (j.contains("static_ip")) {
    take(j.at("static_ip"), "ip_address", c.static_ip_address);
    take(j.at("static_ip"), "health_url", c.static_ip_health_url);
  }
  if (j.contains("health")) {
    const auto& h = j.at("health");
    take(h, "expected_status", c.expected_status);
    take(h, "attempts", c.health_attempts);
    take(h, "retry_delay_ms", c.health_retry_delay_ms);
    take(h, "timeout_ms", c.health_timeout_ms);
  }
}
}  // namespace

SlotConfig FakeConfig::slot(const std::string& color) const {
  if (auto it = slots.find(color); it != slots.end()) return it->second;
  return {"127.0.0.1", "http://127.0.0.1:18083/health"};
}

FakeConfig load_fake_config(const std::filesystem::path& workdir) {
  FakeConfig c = defaults();
  std::filesystem::path path;
  if (const char* env = std::getenv("FAKE_TF_CONFIG"); env && *env) {
    path = env;
  } else if (std::filesystem::exists(workdir / "fake-terraform.json")) {
    path = workdir / "fake-terraform.json";
  } else {
    return c;
  }
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("cannot read fake config {}", path.string()));
  try {
    apply_json(nlohmann::json::parse(in), c);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("invalid fake config {}: {}", path.string(), e.what()));
  }
  return c;
}

}  // namespace fake_tf
