#pragma once
// The fake's own knobs: where each slot's "cloud" values come from (README lists every key).
// Read from $FAKE_TF_CONFIG, else <workdir>/fake-terraform.json, else built-in defaults.
#include <filesystem>
#include <map>
#include <string>

namespace fake_tf {

struct SlotConfig {
  std::string public_ip;
  std::string health_url;
};

struct FakeConfig {
  std::string app = "web";
  std::string build = "1";
  std::map<std::string, SlotConfig> slots;  // always has blue and green
  std::string static_ip_address = "127.0.0.1";
  std::string static_ip_health_url = "http://127.0.0.1:18080/health";
  int expected_status = 200;
  int health_attempts = 3;
  int health_retry_delay_ms = 200;
  int health_timeout_ms = 2000;
  int apply_delay_ms = 0;

  SlotConfig slot(const std::string& color) const;
};

// Throws std::runtime_error with a readable message when the file exists but is not valid.
FakeConfig load_fake_config(const std::filesystem::path& workdir);

}  // namespace fake_tf
