// libFuzzer harness: `terraform show -json PLANFILE` text -> the changes the
// guard checks. Any bytes must give a plan or an error with a reason, never
// a crash or an uncaught exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "plan_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto plan = xd::parse_plan_json(text, &error);
  if (!plan && error.empty()) std::abort();  // a refusal always says why
  return 0;
}
