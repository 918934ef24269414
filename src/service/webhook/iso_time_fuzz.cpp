// libFuzzer harness: the ISO 8601 reader (FalconX's t_expiry, TradingView's
// {{timenow}}) on any bytes. It found the signed overflow for years >= 2262;
// the property now checked: whatever parses lies inside system_clock's range
// by construction, and the same text always gives the same instant.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "falcon_xecutor/webhook/iso_time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto first = xecutor::parse_iso8601(text);
  const auto second = xecutor::parse_iso8601(text);
  if (first.has_value() != second.has_value() || (first && *first != *second)) std::abort();
  return 0;
}
