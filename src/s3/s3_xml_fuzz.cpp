// Any bytes as an S3 answer: a page, an error, or a reason; never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "xdeploy/s3/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string xml(reinterpret_cast<const char*>(data), size);
  std::string error;
  (void)xd::s3::parse_list_page(xml, error);
  (void)xd::s3::parse_error(xml);
  return 0;
}
