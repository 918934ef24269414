// libFuzzer harness: `terraform state pull` text -> the facts status checks the
// outputs against. Any bytes must give facts or an error with a reason, never a
// crash or an uncaught exception; the only colors are the two slots.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "state_pull.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto facts = xd::parse_state_pull(text, &error);
  if (!facts && error.empty()) std::abort();  // a refusal always says why
  if (facts && facts->public_ips.size() != facts->instances.size()) std::abort();
  return 0;
}
