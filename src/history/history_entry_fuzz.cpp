// libFuzzer harness: any bytes as one history line. A line is refused or
// accepted, and an accepted one always describes: no crash, no JSON type
// error (the bug where `{"verb":5}` crashed `xdeploy history`).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "xdeploy/history/history_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  if (const auto record = xd::parse_history_line(line)) (void)xd::describe_history_record(*record);
  return 0;
}
