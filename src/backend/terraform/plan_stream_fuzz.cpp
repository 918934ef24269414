// libFuzzer harness: `terraform plan -json` lines -> the changes the guard checks. Any bytes
// must give a stream that checks or a reason, never a crash or an uncaught exception; a
// stream that checks has a summary.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "plan_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  xd::PlanStreamReader reader;
  while (!text.empty()) {
    const auto end = text.find('\n');
    reader.line(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  if (reader.check().empty() && !reader.stream().summary) std::abort();
  return 0;
}
