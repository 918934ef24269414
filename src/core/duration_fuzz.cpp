// libFuzzer harness: parse_duration on any bytes. Besides "no crash, no UB",
// it checks the property the CLI relies on: whatever parses, formats back to
// a literal that parses to the same value (option defaults are printed that way).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "xdeploy/core/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = xd::parse_duration(text);
  if (!parsed) return 0;
  if (parsed->count() < 0) std::abort();  // durations are never negative
  const auto back = xd::parse_duration(xd::duration_literal(*parsed));
  if (!back || *back != *parsed) std::abort();
  (void)xd::format_duration(*parsed);
  return 0;
}
