// libFuzzer harness: any bytes as xdeploy.toml. The strict check must accept
// or name a problem with its line, never crash; what it accepts must also be
// readable by CLI11's TOML reader, which applies the values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> keys{"backend",         "chdir",    "health-timeout",
                                             "health-interval", "var-file", "json",
                                             "public-port",     "terraform"};
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto problem = xd::check_config_text(text, keys);
  if (!problem.empty()) {
    if (problem.find(':') == std::string::npos) std::abort();  // always "LINE: ..."
    return 0;
  }
  std::istringstream input(text);
  (void)CLI::ConfigTOML().from_config(input);
  return 0;
}
